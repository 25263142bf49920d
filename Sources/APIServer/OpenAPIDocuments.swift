import APIMachinery
import JSON

/// Builds the OpenAPI v3 documents kube-apiserver serves, from one catalog snapshot: the root
/// (`/openapi/v3`, a `paths` index with a content hash per group-version) and one OpenAPI 3.0
/// document per group-version with `components.schemas` (each kind with
/// `x-kubernetes-group-version-kind`, `metadata` a `$ref` to ObjectMeta) and `paths` with the
/// verbs. What kubectl reads (k8s-api.md A.4): the PATCH operation of a GVK lists the
/// `fieldValidation` query parameter and, in `requestBody.content`, the accepted patch types.
enum OpenAPIDocuments {
  static let metaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1."
  static let objectMetaRef = "#/components/schemas/\(metaPrefix)ObjectMeta"
  static let listMetaRef = "#/components/schemas/\(metaPrefix)ListMeta"
  static let patchRef = "#/components/schemas/\(metaPrefix)Patch"
  static let statusRef = "#/components/schemas/\(metaPrefix)Status"
  static let deleteOptionsRef = "#/components/schemas/\(metaPrefix)DeleteOptions"

  /// One built group-version document.
  struct Document: Sendable {
    /// `api/v1` or `apis/<group>/<version>`.
    let path: String
    let bytes: [UInt8]
    let hash: String
  }

  /// Every document of a snapshot, in discovery order.
  static func build(_ snapshot: Catalog.Snapshot) -> [Document] {
    snapshot.groups.flatMap { group in
      group.versions.map { version in
        let resources = snapshot.resources(group: group.name, version: version)
        let bytes = document(group: group.name, version: version, resources).serialized()
        let path = group.name.isEmpty ? "api/\(version)" : "apis/\(group.name)/\(version)"
        return Document(path: path, bytes: bytes, hash: hash(bytes))
      }
    }
  }

  /// `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"},…}}`.
  static func root(_ documents: [Document]) -> [UInt8] {
    var paths = JSONObject()
    for d in documents {
      paths[d.path] = ["serverRelativeURL": .string("/openapi/v3/\(d.path)?hash=\(d.hash)")]
    }
    let root: JSONValue = ["paths": .object(paths)]
    return root.serialized()
  }

  /// A stable content hash (two FNV-1a 64-bit passes with different seeds), 32 hex digits.
  static func hash(_ bytes: [UInt8]) -> String {
    func fnv(_ seed: UInt64) -> UInt64 {
      var h = seed
      for b in bytes {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
      }
      return h
    }
    func hex(_ v: UInt64) -> String {
      let s = String(v, radix: 16, uppercase: true)
      return String(repeating: "0", count: 16 - s.count) + s
    }
    return hex(fnv(0xcbf2_9ce4_8422_2325)) + hex(fnv(0x8422_2325_cbf2_9ce4))
  }

  // MARK: Names

  /// The schema name prefix of a group-version, as kube's generators name them:
  /// `io.k8s.api.core.v1`, `io.k8s.api.coordination.v1`,
  /// `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1`, and for custom resources the
  /// reversed group (`io.open-cluster-management.cluster.v1`).
  static func schemaPrefix(group: String, version: String) -> String {
    if group.isEmpty { return "io.k8s.api.core.\(version)" }
    if group == "apiextensions.k8s.io" {
      return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(version)"
    }
    if group.hasSuffix(".k8s.io") {
      return "io.k8s.api.\(group.dropLast(".k8s.io".count)).\(version)"
    }
    return group.split(separator: ".").reversed().joined(separator: ".") + ".\(version)"
  }

  /// `CoreV1`, `CoordinationV1`, `ClusterOpenClusterManagementIoV1` (operation ids).
  static func operationGroup(group: String, version: String) -> String {
    let base: String
    if group.isEmpty {
      base = "core"
    } else if group.hasSuffix(".k8s.io") {
      base = String(group.dropLast(".k8s.io".count))
    } else {
      base = group
    }
    let words = base.split(whereSeparator: { $0 == "." || $0 == "-" })
    return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
      + version.prefix(1).uppercased() + version.dropFirst()
  }

  static func ref(_ name: String) -> JSONValue { ["$ref": .string(name)] }

  static func gvk(_ r: ResourceDefinition, kind: String? = nil) -> JSONValue {
    ["group": .string(r.group), "kind": .string(kind ?? r.kind), "version": .string(r.version)]
  }

  // MARK: Documents

  static func document(group: String, version: String, _ resources: [ResourceDefinition])
    -> JSONValue
  {
    var paths = JSONObject()
    var schemas = JSONObject()
    let prefix = schemaPrefix(group: group, version: version)
    for r in resources {
      let kindName = "\(prefix).\(r.kind)"
      schemas[kindName] = kindSchema(r)
      schemas["\(kindName)List"] = listSchema(r, itemRef: "#/components/schemas/\(kindName)")
      for (path, item) in self.paths(r, kindRef: "#/components/schemas/\(kindName)") {
        paths[path] = item
      }
    }
    for (name, schema) in metaSchemas { schemas[name] = schema }
    return [
      "openapi": "3.0.0",
      "info": ["title": "Kubernetes", "version": "v1.32.0"],
      "paths": .object(paths),
      "components": ["schemas": .object(schemas)],
    ]
  }

  /// A kind's schema: the definition's (or an open object), `metadata` referencing ObjectMeta,
  /// `apiVersion`/`kind` described, and the GVK extension.
  static func kindSchema(_ r: ResourceDefinition) -> JSONValue {
    var schema =
      r.schema?.objectValue ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    var properties = schema["properties"]?.objectValue ?? JSONObject()
    properties["apiVersion"] = [
      "type": "string",
      "description":
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
    ]
    properties["kind"] = [
      "type": "string",
      "description":
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
    ]
    properties["metadata"] = [
      "allOf": [ref(objectMetaRef)], "default": [:],
      "description":
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    ]
    schema["properties"] = .object(properties)
    if schema["type"] == nil { schema["type"] = "object" }
    schema["x-kubernetes-group-version-kind"] = [gvk(r)]
    return .object(schema)
  }

  static func listSchema(_ r: ResourceDefinition, itemRef: String) -> JSONValue {
    [
      "type": "object",
      "description": .string("\(r.listKind) is a list of \(r.kind)"),
      "required": ["items"],
      "properties": [
        "apiVersion": [
          "type": "string",
          "description":
            "APIVersion defines the versioned schema of this representation of an object.",
        ],
        "items": [
          "type": "array", "description": .string("List of \(r.plural)."),
          "items": ["allOf": [ref(itemRef)], "default": [:]],
        ],
        "kind": [
          "type": "string",
          "description":
            "Kind is a string value representing the REST resource this object represents.",
        ],
        "metadata": [
          "allOf": [ref(listMetaRef)], "default": [:],
          "description":
            "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
        ],
      ],
      "x-kubernetes-group-version-kind": [gvk(r, kind: r.listKind)],
    ]
  }

  // MARK: Paths

  static func queryParameter(_ name: String, _ type: String, _ description: String) -> JSONValue {
    [
      "name": .string(name), "in": "query", "description": .string(description),
      "schema": ["type": .string(type), "uniqueItems": true],
    ]
  }

  static func pathParameter(_ name: String, _ description: String) -> JSONValue {
    [
      "name": .string(name), "in": "path", "description": .string(description), "required": true,
      "schema": ["type": "string", "uniqueItems": true],
    ]
  }

  static let dryRun = queryParameter(
    "dryRun", "string",
    "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed"
  )
  static let fieldManager = queryParameter(
    "fieldManager", "string",
    "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."
  )
  static let fieldValidation = queryParameter(
    "fieldValidation", "string",
    "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered."
  )
  static let force = queryParameter(
    "force", "boolean",
    "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."
  )
  static let pretty = queryParameter(
    "pretty", "string",
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."
  )
  static let listParameters: [JSONValue] = [
    queryParameter(
      "allowWatchBookmarks", "boolean",
      "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
    queryParameter(
      "continue", "string",
      "The continue option should be set when retrieving more results from the server."),
    queryParameter(
      "fieldSelector", "string",
      "A selector to restrict the list of returned objects by their fields. Defaults to everything."
    ),
    queryParameter(
      "labelSelector", "string",
      "A selector to restrict the list of returned objects by their labels. Defaults to everything."
    ),
    queryParameter(
      "limit", "integer", "limit is a maximum number of responses to return for a list call."),
    queryParameter(
      "resourceVersion", "string",
      "resourceVersion sets a constraint on what resource versions a request may be served from."),
    queryParameter(
      "resourceVersionMatch", "string",
      "resourceVersionMatch determines how resourceVersion is applied to list calls."),
    queryParameter(
      "sendInitialEvents", "boolean",
      "`sendInitialEvents=true` may be set together with `watch=true`."),
    queryParameter("timeoutSeconds", "integer", "Timeout for the list/watch call."),
    queryParameter(
      "watch", "boolean",
      "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."
    ),
  ]
  static let deleteParameters: [JSONValue] = [
    dryRun,
    queryParameter(
      "gracePeriodSeconds", "integer",
      "The duration in seconds before the object should be deleted."),
    queryParameter(
      "orphanDependents", "boolean",
      "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7."),
    queryParameter(
      "propagationPolicy", "string",
      "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."
    ),
  ]

  static func content(
    _ schemaRef: String, types: [String] = ["application/json", "application/yaml"]
  ) -> JSONValue {
    var o = JSONObject()
    for t in types { o[t] = ["schema": ref(schemaRef)] }
    return .object(o)
  }

  static func responses(_ codes: [(String, String)], _ schemaRef: String) -> JSONValue {
    var o = JSONObject()
    for (code, description) in codes {
      o[code] = ["description": .string(description), "content": content(schemaRef)]
    }
    o["401"] = ["description": "Unauthorized"]
    return .object(o)
  }

  /// The patch media types a kind accepts (custom resources: no strategic merge patch).
  static func patchTypes(_ r: ResourceDefinition) -> [String] {
    var types = [
      "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json",
    ]
    if !r.isCustomResource { types.append("application/strategic-merge-patch+json") }
    return types
  }

  static func operation(
    _ r: ResourceDefinition, action: String, id: String, description: String,
    parameters: [JSONValue] = [], requestBody: JSONValue? = nil, responses: JSONValue
  ) -> JSONValue {
    var o = JSONObject()
    o["tags"] = [.string(operationGroup(group: r.group, version: r.version))]
    o["description"] = .string(description)
    o["operationId"] = .string(id)
    if !parameters.isEmpty { o["parameters"] = .array(parameters) }
    if let requestBody { o["requestBody"] = requestBody }
    o["responses"] = responses
    o["x-kubernetes-action"] = .string(action)
    o["x-kubernetes-group-version-kind"] = gvk(r)
    return .object(o)
  }

  /// The paths of one resource: collection, item, all-namespaces list, `/status`, `/finalize`.
  static func paths(_ r: ResourceDefinition, kindRef: String) -> [(String, JSONValue)] {
    let base = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
    let scope = r.namespaced ? "Namespaced" : ""
    let opGroup = operationGroup(group: r.group, version: r.version)
    let listRef = kindRef + "List"
    let collectionPath =
      r.namespaced ? "\(base)/namespaces/{namespace}/\(r.plural)" : "\(base)/\(r.plural)"
    let nsParameter = pathParameter(
      "namespace", "object name and auth scope, such as for teams and projects")
    let nameParameter = pathParameter("name", "name of the \(r.kind)")
    let writeParameters = [dryRun, fieldManager, fieldValidation]
    let bodyOf: (String) -> JSONValue = { ref in
      ["content": content(ref, types: ["*/*"]), "required": true]
    }

    var collection = JSONObject()
    collection["get"] = operation(
      r, action: "list", id: "list\(opGroup)\(scope)\(r.kind)",
      description: "list or watch objects of kind \(r.kind)",
      parameters: listParameters, responses: responses([("200", "OK")], listRef))
    collection["post"] = operation(
      r, action: "post", id: "create\(opGroup)\(scope)\(r.kind)", description: "create a \(r.kind)",
      parameters: writeParameters, requestBody: bodyOf(kindRef),
      responses: responses([("200", "OK"), ("201", "Created"), ("202", "Accepted")], kindRef))
    collection["delete"] = operation(
      r, action: "deletecollection", id: "delete\(opGroup)Collection\(scope)\(r.kind)",
      description: "delete collection of \(r.kind)", parameters: deleteParameters + listParameters,
      requestBody: bodyOf(deleteOptionsRef), responses: responses([("200", "OK")], statusRef))
    collection["parameters"] = .array((r.namespaced ? [nsParameter] : []) + [pretty])

    /// get, put and patch of one object (`suffix` "Status" and `subject` "status of the
    /// specified X" for the status subresource).
    func readReplacePatch(suffix: String, subject: String) -> JSONObject {
      var o = JSONObject()
      o["get"] = operation(
        r, action: "get", id: "read\(opGroup)\(scope)\(r.kind)\(suffix)",
        description: "read \(subject)", responses: responses([("200", "OK")], kindRef))
      o["put"] = operation(
        r, action: "put", id: "replace\(opGroup)\(scope)\(r.kind)\(suffix)",
        description: "replace \(subject)", parameters: writeParameters,
        requestBody: bodyOf(kindRef),
        responses: responses([("200", "OK"), ("201", "Created")], kindRef))
      o["patch"] = patchOperation(
        r, id: "patch\(opGroup)\(scope)\(r.kind)\(suffix)",
        description: "partially update \(subject)", kindRef: kindRef)
      return o
    }

    var item = readReplacePatch(suffix: "", subject: "the specified \(r.kind)")
    item["delete"] = operation(
      r, action: "delete", id: "delete\(opGroup)\(scope)\(r.kind)",
      description: "delete a \(r.kind)",
      parameters: deleteParameters, requestBody: bodyOf(deleteOptionsRef),
      responses: responses([("200", "OK"), ("202", "Accepted")], statusRef))
    item["parameters"] = .array([nameParameter] + (r.namespaced ? [nsParameter] : []) + [pretty])

    var result: [(String, JSONValue)] = [
      (collectionPath, .object(collection)), ("\(collectionPath)/{name}", .object(item)),
    ]
    if r.namespaced {
      var all = JSONObject()
      all["get"] = operation(
        r, action: "list", id: "list\(opGroup)\(r.kind)ForAllNamespaces",
        description: "list or watch objects of kind \(r.kind)",
        parameters: listParameters, responses: responses([("200", "OK")], listRef))
      result.append(("\(base)/\(r.plural)", .object(all)))
    }
    if r.hasApprovalSubresource {
      var approval = readReplacePatch(
        suffix: "Approval", subject: "approval of the specified \(r.kind)")
      approval["parameters"] = .array([nameParameter, pretty])
      result.append(("\(collectionPath)/{name}/approval", .object(approval)))
    }
    if r.hasStatusSubresource {
      var status = readReplacePatch(suffix: "Status", subject: "status of the specified \(r.kind)")
      status["parameters"] = .array(
        [nameParameter] + (r.namespaced ? [nsParameter] : []) + [pretty])
      result.append(("\(collectionPath)/{name}/status", .object(status)))
    }
    if r.group.isEmpty && r.plural == "namespaces" {
      var finalize = JSONObject()
      finalize["put"] = operation(
        r, action: "put", id: "replace\(opGroup)NamespaceFinalize",
        description: "replace finalize of the specified Namespace",
        parameters: writeParameters, requestBody: bodyOf(kindRef),
        responses: responses([("200", "OK"), ("201", "Created")], kindRef))
      finalize["parameters"] = .array([nameParameter, pretty])
      result.append(("\(collectionPath)/{name}/finalize", .object(finalize)))
    }
    return result
  }

  /// The PATCH operation kubectl inspects: `fieldValidation` among the parameters and the
  /// accepted patch media types as `requestBody.content`.
  static func patchOperation(
    _ r: ResourceDefinition, id: String, description: String, kindRef: String
  ) -> JSONValue {
    var body = JSONObject()
    for t in patchTypes(r) { body[t] = ["schema": ref(patchRef)] }
    return operation(
      r, action: "patch", id: id, description: description,
      parameters: [dryRun, fieldManager, fieldValidation, force],
      requestBody: ["content": .object(body), "required": true],
      responses: responses([("200", "OK"), ("201", "Created")], kindRef))
  }

  // MARK: meta/v1 components

  static let metaSchemas: [(String, JSONValue)] = [
    ("\(metaPrefix)ObjectMeta", BuiltInSchemas.objectMeta),
    ("\(metaPrefix)ListMeta", BuiltInSchemas.listMeta),
    (
      "\(metaPrefix)Patch",
      [
        "type": "object",
        "description":
          "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
      ]
    ),
    (
      "\(metaPrefix)Preconditions",
      [
        "type": "object",
        "description":
          "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
        "properties": [
          "resourceVersion": [
            "type": "string", "description": "Specifies the target ResourceVersion",
          ],
          "uid": ["type": "string", "description": "Specifies the target UID."],
        ],
      ]
    ),
    (
      "\(metaPrefix)DeleteOptions",
      [
        "type": "object",
        "description": "DeleteOptions may be provided when deleting an API object.",
        "properties": [
          "apiVersion": [
            "type": "string",
            "description":
              "APIVersion defines the versioned schema of this representation of an object.",
          ],
          "dryRun": [
            "type": "array",
            "description": "When present, indicates that modifications should not be persisted.",
            "items": ["type": "string", "default": ""], "x-kubernetes-list-type": "atomic",
          ],
          "gracePeriodSeconds": [
            "type": "integer", "format": "int64",
            "description": "The duration in seconds before the object should be deleted.",
          ],
          "kind": [
            "type": "string",
            "description":
              "Kind is a string value representing the REST resource this object represents.",
          ],
          "orphanDependents": [
            "type": "boolean", "description": "Deprecated: please use the PropagationPolicy.",
          ],
          "preconditions": [
            "allOf": [ref("#/components/schemas/\(metaPrefix)Preconditions")],
            "description":
              "Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.",
          ],
          "propagationPolicy": [
            "type": "string",
            "description": "Whether and how garbage collection will be performed.",
          ],
        ],
      ]
    ),
    (
      "\(metaPrefix)Status",
      [
        "type": "object",
        "description": "Status is a return value for calls that don't return other objects.",
        "properties": [
          "apiVersion": [
            "type": "string",
            "description":
              "APIVersion defines the versioned schema of this representation of an object.",
          ],
          "code": [
            "type": "integer", "format": "int32",
            "description": "Suggested HTTP return code for this status, 0 if not set.",
          ],
          "details": [
            "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "description": "Extended data associated with the reason.",
          ],
          "kind": [
            "type": "string",
            "description":
              "Kind is a string value representing the REST resource this object represents.",
          ],
          "message": [
            "type": "string",
            "description": "A human-readable description of the status of this operation.",
          ],
          "metadata": [
            "allOf": [ref(listMetaRef)], "default": [:],
            "description": "Standard list metadata.",
          ],
          "reason": [
            "type": "string",
            "description":
              "A machine-readable description of why this operation is in the \"Failure\" status.",
          ],
          "status": [
            "type": "string",
            "description": "Status of the operation. One of: \"Success\" or \"Failure\".",
          ],
        ],
      ]
    ),
  ]
}
