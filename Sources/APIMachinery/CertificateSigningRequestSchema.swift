import JSON

/// The OpenAPI v3 schema of `certificates.k8s.io/v1` CertificateSigningRequest (the fields of
/// kube's Go types, with shortened descriptions), for pruning, `/openapi/v3` and `kubectl
/// explain`. `request` and `certificate` are base64 (`format: byte`).
enum CertificateSigningRequestSchema {
  typealias S = BuiltInSchemas

  static let spec = S.object(
    "CertificateSigningRequestSpec contains the certificate request.",
    [
      (
        "expirationSeconds",
        S.integer(
          "expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration. The minimum valid value for expirationSeconds is 600, i.e. 10 minutes."
        )
      ),
      (
        "extra",
        S.map(
          "extra contains extra attributes of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
          ["type": "array", "items": ["type": "string", "default": ""]])
      ),
      (
        "groups",
        S.array(
          "groups contains group membership of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable.",
          ["type": "string", "default": ""], listType: "atomic")
      ),
      (
        "request",
        [
          "type": "string", "format": "byte", "x-kubernetes-list-type": "atomic",
          "description":
            "request contains an x509 certificate signing request encoded in a \"CERTIFICATE REQUEST\" PEM block. When serialized as JSON or YAML, the data is additionally base64-encoded.",
        ]
      ),
      (
        "signerName",
        S.string(
          "signerName indicates the requested signer, and is a qualified name. List/watch requests for CertificateSigningRequests can filter on this field using a \"spec.signerName=NAME\" fieldSelector. Well-known Kubernetes signers are: 1. \"kubernetes.io/kube-apiserver-client\": issues client certificates that can be used to authenticate to kube-apiserver. 2. \"kubernetes.io/kube-apiserver-client-kubelet\": issues client certificates that kubelets use to authenticate to kube-apiserver. 3. \"kubernetes.io/kubelet-serving\" issues serving certificates that kubelets use to serve TLS endpoints."
        )
      ),
      (
        "uid",
        S.string(
          "uid contains the uid of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable."
        )
      ),
      (
        "usages",
        S.array(
          "usages specifies a set of key usages requested in the issued certificate. Requests for TLS client certificates typically request: \"digital signature\", \"key encipherment\", \"client auth\".",
          ["type": "string", "default": "", "enum": .array(validUsageValues)], listType: "atomic")
      ),
      (
        "username",
        S.string(
          "username contains the name of the user that created the CertificateSigningRequest. Populated by the API server on creation and immutable."
        )
      ),
    ], required: ["request", "signerName"])

  static let condition = S.object(
    "CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest object",
    [
      (
        "lastTransitionTime",
        S.time(
          "lastTransitionTime is the time the condition last transitioned from one status to another. If unset, when a new condition type is added or an existing condition's status is changed, the server defaults this to the current time."
        )
      ),
      (
        "lastUpdateTime",
        S.time("lastUpdateTime is the time of the last update to this condition")
      ),
      (
        "message",
        S.string("message contains a human readable message with details about the request state")
      ),
      ("reason", S.string("reason indicates a brief reason for the request state")),
      (
        "status",
        S.string(
          "status of the condition, one of True, False, Unknown. Approved, Denied, and Failed conditions may not be \"False\" or \"Unknown\"."
        )
      ),
      (
        "type",
        S.string(
          "type of the condition. Known conditions are \"Approved\", \"Denied\", and \"Failed\"."
        )
      ),
    ], required: ["type", "status"])

  static let status = S.object(
    "CertificateSigningRequestStatus contains conditions used to indicate approved/denied/failed status of the request, and the issued certificate.",
    [
      (
        "certificate",
        [
          "type": "string", "format": "byte", "x-kubernetes-list-type": "atomic",
          "description":
            "certificate is populated with an issued certificate by the signer after an Approved condition is present. This field is set via the /status subresource. Once populated, this field is immutable.",
        ]
      ),
      (
        "conditions",
        [
          "type": "array", "items": condition, "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
          "description":
            "conditions applied to the request. Known conditions are \"Approved\", \"Denied\", and \"Failed\".",
        ]
      ),
    ])

  static let kind = S.kind(
    "CertificateSigningRequest objects provide a mechanism to obtain x509 certificates by submitting a certificate signing request, and having it asynchronously approved and issued.",
    [("spec", spec), ("status", status)])

  private static var validUsageValues: [JSONValue] {
    CertificateSigningRequests.validUsages.map { .string($0) }
  }
}
