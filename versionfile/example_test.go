package versionfile_test

import (
	"fmt"

	"github.com/releasekit/releasekit/versionfile"
)

func ExampleUpdate() {
	pom := []byte(`<project>
	<parent><version>7.0.0</version></parent>
	<!-- the release version -->
	<version>1.2.3</version>
	<dependencies><dependency><version>1.2.3</version></dependency></dependencies>
</project>
`)
	out, err := versionfile.Update(versionfile.Maven, pom, "1.3.0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// <project>
	// 	<parent><version>7.0.0</version></parent>
	// 	<!-- the release version -->
	// 	<version>1.3.0</version>
	// 	<dependencies><dependency><version>1.2.3</version></dependency></dependencies>
	// </project>
}

func ExampleKindOf() {
	for _, name := range []string{"web/package.json", "charts/shop/Chart.yaml", "internal/version/version.go", "README.md"} {
		k, ok := versionfile.KindOf(name)
		fmt.Println(name, k, ok)
	}
	// Output:
	// web/package.json package.json true
	// charts/shop/Chart.yaml Chart.yaml true
	// internal/version/version.go go true
	// README.md marker false
}

func ExampleFind() {
	lock := []byte(`{"name": "shop", "version": "1.2.3", "lockfileVersion": 3,
 "packages": {"": {"name": "shop", "version": "1.2.3"}, "node_modules/x": {"version": "1.2.3"}}}`)
	spans, err := versionfile.Find(versionfile.PackageLock, lock)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range spans {
		fmt.Printf("line %d, bytes %d-%d: %s\n", s.Line, s.Start, s.End, s.Value)
	}
	_, err = versionfile.Find(versionfile.Composer, []byte(`{"name": "shop/theme"}`))
	fmt.Println(err)
	// Output:
	// line 1, bytes 29-34: 1.2.3
	// line 2, bytes 106-111: 1.2.3
	// versionfile: composer.json: no "version"
}
