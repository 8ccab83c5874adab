package strictjson_test

import (
	"reflect"
	"strconv"
)

// newTagged returns a pointer to a new struct with one int field whose
// JSON name is name.
func newTagged(name string) reflect.Value {
	t := reflect.StructOf([]reflect.StructField{{
		Name: "F",
		Type: reflect.TypeFor[int](),
		Tag:  reflect.StructTag(`json:` + strconv.Quote(name)),
	}})
	return reflect.New(t)
}
