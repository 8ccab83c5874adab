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
