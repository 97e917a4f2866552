package formdata

import (
	"bytes"
	"errors"
	"io"
	"net/textproto"
	"os"
)

// File is an uploaded file (Microdot's FileUpload). While its part is
// current, reading it reads the request body; Copy keeps it for later.
type File struct {
	// Filename is the name the client gave, without directories (as
	// [mime/multipart.Part.FileName] returns it). It is the client's
	// choice: use SafeName, or SaveIn, to store it.
	Filename string
	// ContentType is the type the client declared, possibly empty.
	ContentType string
	// Header is the header of the part.
	Header textproto.MIMEHeader

	r    *Reader
	part *fileReader // the part in the body
	src  io.Reader   // the part, or the copy
	tmp  *os.File    // Copy's temporary file, if any
}

// Read reads from the file.
func (f *File) Read(p []byte) (int, error) { return f.src.Read(p) }

// Size returns the number of bytes read from the request so far: the
// file's size once it has been read to its end, or copied.
func (f *File) Size() int64 { return f.part.n }

// WriteTo writes the rest of the file to w, in chunks (Microdot's save to
// a file object); it makes io.Copy(w, f) stream.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	buf := make([]byte, 32<<10)
	return io.CopyBuffer(w, struct{ io.Reader }{f}, buf)
}

// Save writes the rest of the file to path, which it creates or truncates
// (Microdot's save). The path is used as given; to store a file under the
// name the client chose, use SaveIn.
func (f *File) Save(path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	return f.saveTo(out)
}

// SaveIn writes the rest of the file into dir under SafeName(f.Filename),
// creating or truncating it, and returns that name. The file cannot land
// outside dir: the name has no directories, and it is created through an
// [os.Root], which also refuses symbolic links that lead outside.
func (f *File) SaveIn(dir string) (string, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer root.Close()
	name := SafeName(f.Filename)
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", err
	}
	return name, f.saveTo(out)
}

func (f *File) saveTo(out *os.File) error {
	_, err := f.WriteTo(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
	}
	return err
}

// Copy reads the rest of the file into memory, or into a temporary file
// past the Reader's memory budget, so that Next can move on while the file
// stays readable (Microdot's copy). Close removes the temporary file.
func (f *File) Copy() error {
	if f.tmp != nil {
		return nil
	}
	budget := max(f.r.lim.MaxMemory-f.r.memory, 0)
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(f, budget+1))
	if err != nil {
		return err
	}
	if n <= budget {
		f.r.memory += n
		f.src = bytes.NewReader(buf.Bytes())
		return nil
	}
	tmp, err := os.CreateTemp(f.r.lim.TempDir, "formdata-*")
	if err != nil {
		return err
	}
	f.tmp = tmp
	if _, err = tmp.Write(buf.Bytes()); err == nil {
		_, err = f.WriteTo(tmp)
	}
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return err
	}
	f.src = tmp
	return nil
}

// Close removes the temporary file that Copy made, if any.
func (f *File) Close() error {
	if f.tmp == nil {
		return nil
	}
	tmp := f.tmp
	f.tmp, f.src = nil, eofReader{}
	return errors.Join(tmp.Close(), os.Remove(tmp.Name()))
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
