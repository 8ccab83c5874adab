module example.com/shop

go 1.22

require (
	github.com/google/uuid v1.6.0
	golang.org/x/text v0.14.0 // indirect
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/docker/docker v24.0.7+incompatible

replace golang.org/x/text => golang.org/x/text v0.15.0
