package strictjson_test

import (
	"fmt"

	"github.com/releasekit/releasekit/internal/strictjson"
)

func ExampleCheck() {
	// encoding/json would quietly keep "mallory" here.
	fmt.Println(strictjson.Check([]byte(`{"approver": "alice", "Approver": "mallory"}`), strictjson.Options{}))
	fmt.Println(strictjson.Check([]byte(`{"approver": "alice"}`), strictjson.Options{}))
	// Output:
	// duplicate key "Approver"
	// <nil>
}

func ExampleUnmarshal() {
	var v struct {
		Approver string `json:"approver"`
	}
	fmt.Println(strictjson.Unmarshal([]byte(`{"approver": "alice"}`), &v, strictjson.Options{}), v.Approver)
	fmt.Println(strictjson.Unmarshal([]byte(`{"approver": "alice", "Approver": "mallory"}`), &v, strictjson.Options{}))
	fmt.Println(strictjson.Unmarshal([]byte(`{"approver": "alice", "role": "admin"}`), &v, strictjson.Options{}))
	fmt.Println(strictjson.Unmarshal([]byte(`{"approver": "alice"} {}`), &v, strictjson.Options{}))
	// Output:
	// <nil> alice
	// duplicate key "Approver"
	// json: unknown field "role"
	// trailing data after the JSON value
}
