package formdata_test

import (
	"fmt"
	"io"
	"mime/multipart"
	"strings"

	"github.com/microdot-go/microdot/microdot"
	"github.com/microdot-go/microdot/microdot/formdata"
)

// exampleBody is a form with a field and a file, as a browser sends it.
func exampleBody() (body, contentType string) {
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	mw.WriteField("name", "Ada")
	fw, _ := mw.CreateFormFile("file", "../notes.txt")
	io.WriteString(fw, "hello")
	mw.Close()
	return b.String(), mw.FormDataContentType()
}

// Handler parses the whole form, as Microdot's with_form_data does.
func ExampleHandler() {
	app := microdot.New()
	app.Post("/", formdata.Handler(formdata.Limits{}, func(req *microdot.Request, form *formdata.Form) (*microdot.Response, error) {
		f := form.File("file")
		data, err := io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		return microdot.Text(fmt.Sprintf("%s sent %s: %s", form.Values.Get("name"), f.Filename, data)), nil
	}))

	body, ct := exampleBody()
	fmt.Println(microdot.NewTestClient(app).Post("/", body, "Content-Type", ct).Text())
	// Output: Ada sent notes.txt: hello
}

// A Reader streams the parts, as Microdot's FormDataIter does: files are
// saved as they arrive, never held in memory.
func ExampleReader() {
	app := microdot.New()
	app.Post("/", func(req *microdot.Request) (*microdot.Response, error) {
		r, err := formdata.NewReader(req, formdata.Limits{MaxFileBytes: 10 << 20})
		if err != nil {
			return nil, err
		}
		for {
			p, err := r.Next()
			if err == io.EOF {
				return microdot.Text("done"), nil
			}
			if err != nil {
				return nil, err // a 400 or 413 that says what is wrong
			}
			if p.File == nil {
				fmt.Printf("field %s=%s\n", p.Name, p.Value)
				continue
			}
			n, err := io.Copy(io.Discard, p.File) // or p.File.SaveIn("uploads")
			if err != nil {
				return nil, err
			}
			fmt.Printf("file %s: %d bytes\n", formdata.SafeName(p.File.Filename), n)
		}
	})

	body, ct := exampleBody()
	fmt.Println(microdot.NewTestClient(app).Post("/", body, "Content-Type", ct).Text())
	// Output:
	// field name=Ada
	// file notes.txt: 5 bytes
	// done
}

func ExampleSafeName() {
	for _, name := range []string{"photo.jpg", "../../etc/passwd", `C:\Users\me\cv.pdf`, "CON.txt", ".."} {
		fmt.Println(formdata.SafeName(name))
	}
	// Output:
	// photo.jpg
	// passwd
	// cv.pdf
	// _CON.txt
	// upload
}
