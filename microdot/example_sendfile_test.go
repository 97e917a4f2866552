package microdot_test

import (
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"

	"github.com/microdot-go/microdot/microdot"
)

// SendFile takes the options of Microdot's send_file: here a pre-compressed
// asset, sent as what it holds with Content-Encoding: gzip.
func ExampleSendFile() {
	dir, _ := os.MkdirTemp("", "assets")
	defer os.RemoveAll(dir)
	f, _ := os.Create(filepath.Join(dir, "app.js.gz"))
	zw := gzip.NewWriter(f)
	zw.Write([]byte("console.log('hi');"))
	zw.Close()
	f.Close()

	app := microdot.New()
	app.Get("/app.js", func(req *microdot.Request) (*microdot.Response, error) {
		return microdot.SendFile(filepath.Join(dir, "app.js"), microdot.FileOptions{
			Compressed: true, FileExtension: ".gz", MaxAge: 3600,
		}), nil
	})
	c := microdot.NewTestClient(app)
	res := c.Get("/app.js", "Accept-Encoding", "gzip")
	fmt.Println(res.Header.Get("Content-Type"), "|", res.Header.Get("Content-Encoding"), "|", res.Header.Get("Cache-Control"))
	// A client that does not accept gzip gets the content decompressed.
	fmt.Println(c.Get("/app.js").Text())
	// Output:
	// text/javascript; charset=utf-8 | gzip | max-age=3600
	// console.log('hi');
}
