// Package formdata reads multipart/form-data request bodies, the uploads of
// HTML forms: Microdot's multipart extension (with_form_data, FormDataIter
// and FileUpload) under the names of [mime/multipart], whose parser it uses.
//
// [Parse] reads a whole form, as Microdot's with_form_data does: fields into
// url.Values, files into memory up to a budget and into temporary files
// past it. [Handler] wraps a handler that receives the parsed form and
// removes the temporary files when it returns:
//
//	app.Post("/", formdata.Handler(formdata.Limits{}, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
//		name := form.Values.Get("name")
//		if f := form.File("photo"); f != nil {
//			if _, err := f.SaveIn("uploads"); err != nil {
//				return nil, err
//			}
//		}
//		return microdot.Text("thanks, " + name), nil
//	}))
//
// [NewReader] streams the parts instead (Microdot's FormDataIter): a file
// part is read, saved or copied while it is current, and never held whole
// in memory, so a device can take uploads far larger than its memory.
//
// Everything a client sends is bounded by [Limits]: the number of parts, the
// size of a part's header, of a field and of a file, and the memory a parsed
// form holds. Past a limit the error is an *microdot.HTTPError 413 that
// names it; a malformed body is a 400 and a body that is not
// multipart/form-data a 415, so a handler can return the error as it is.
// The App's MaxBodyBytes bounds the whole body first: raise it for large
// uploads. [File.SaveIn] saves under a name made safe by [SafeName], which
// cannot leave its directory.
package formdata
