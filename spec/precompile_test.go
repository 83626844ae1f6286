package spec_test

import (
	"net/http"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

// refBodies has a request body that reaches its schema through $refs (compiled from its inline
// rendering) and one that is circular (compiled by libopenapi-validator against the document).
const refBodies = `openapi: 3.1.0
info: {title: ref bodies, version: "1"}
paths:
  /pets:
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
  /trees:
    post:
      operationId: createTree
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Node"}
      responses:
        "204": {description: created}
components:
  schemas:
    Pet:
      type: object
      required: [id, name, tag]
      properties:
        id: {type: integer, readOnly: true}
        name: {$ref: "#/components/schemas/Name"}
        tag: {$ref: "#/components/schemas/Tag"}
    Name: {type: string, minLength: 1}
    Tag:
      oneOf:
        - {type: string, enum: [cat, dog]}
        - {type: object, required: [label], properties: {label: {$ref: "#/components/schemas/Name"}}}
    Node:
      type: object
      required: [name]
      properties:
        name: {$ref: "#/components/schemas/Name"}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
`

func TestValidateRequestBodiesThroughRefs(t *testing.T) {
	doc, err := spec.Load([]byte(refBodies), spec.Options{Name: "refs.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, body string
		want             []violation
	}{
		{"ValidWithoutTheReadOnlyId", "/pets", `{"name":"Rex","tag":"dog"}`, nil},
		{"ValidObjectBranch", "/pets", `{"name":"Rex","tag":{"label":"good"}}`, nil},
		{"RefTargetViolated", "/pets", `{"name":"","tag":"dog"}`, []violation{{spec.InBody, "/name", ""}}},
		{"RequiredMissing", "/pets", `{"tag":"dog"}`, []violation{{spec.InBody, "", "name"}}},
		{"NoBranchMatches", "/pets", `{"name":"Rex","tag":"fish"}`, []violation{{spec.InBody, "/tag", ""}}},
		{"CircularValid", "/trees", `{"name":"a","children":[{"name":"b","children":[{"name":"c"}]}]}`, nil},
		{"CircularViolatedDeep", "/trees", `{"name":"a","children":[{"name":"b","children":[{}]}]}`, []violation{{spec.InBody, "/children/0/children/0", "name"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkViolations(t, doc.ValidateRequest(mustRequest(t, "POST", tc.path, tc.body)), tc.want)
		})
	}
}

func TestValidateResponseBodyThroughRefs(t *testing.T) {
	doc, err := spec.Load([]byte(refBodies), spec.Options{Name: "refs.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	op, ok := doc.Operation("createPet")
	if !ok {
		t.Fatal("createPet not found")
	}
	req := mustRequest(t, "POST", "/pets", `{"name":"Rex","tag":"dog"}`)
	h := http.Header{"Content-Type": {"application/json"}}
	checkViolations(t, op.ValidateResponseParts(req, 201, h, []byte(`{"id":1,"name":"Rex","tag":"dog"}`)), nil)
	// readOnly properties stay required in responses
	checkViolations(t, op.ValidateResponseParts(req, 201, h, []byte(`{"name":"Rex","tag":"dog"}`)), []violation{{spec.InBody, "", "id"}})
}
