import JSON

/// The Kubernetes built-in kinds an ITS needs: Namespace, ConfigMap, Secret, Event, Lease and
/// CustomResourceDefinition (names, scopes and short names as kube-apiserver 1.32 serves them).
public enum BuiltInResources {
  public static let namespace = ResourceDefinition(
    group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace",
    namespaced: false, shortNames: ["ns"], hasStatusSubresource: true,
    schema: BuiltInSchemas.namespace, extraSelectableFields: ["status.phase"],
    // Namespace storage has no deletecollection (kube-apiserver's discovery lists none).
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"])

  public static let configMap = ResourceDefinition(
    group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap",
    namespaced: true, shortNames: ["cm"], schema: BuiltInSchemas.configMap)

  public static let secret = ResourceDefinition(
    group: "", version: "v1", kind: "Secret", plural: "secrets", singular: "secret",
    namespaced: true, schema: BuiltInSchemas.secret, extraSelectableFields: ["type"])

  public static let event = ResourceDefinition(
    group: "", version: "v1", kind: "Event", plural: "events", singular: "event",
    namespaced: true, shortNames: ["ev"], schema: BuiltInSchemas.event,
    extraSelectableFields: [
      "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
      "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
      "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    ])

  public static let lease = ResourceDefinition(
    group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases",
    singular: "lease", namespaced: true, schema: BuiltInSchemas.lease)

  public static let eventsV1 = ResourceDefinition(
    group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", singular: "event",
    namespaced: true, shortNames: ["ev"], schema: BuiltInSchemas.eventsV1)

  public static let customResourceDefinition = ResourceDefinition(
    group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions", singular: "customresourcedefinition",
    namespaced: false, shortNames: ["crd", "crds"], categories: ["api-extensions"],
    hasStatusSubresource: true, schema: BuiltInSchemas.customResourceDefinition)

  public static let all: [ResourceDefinition] =
    [
      namespace, configMap, secret, event, lease, eventsV1, customResourceDefinition,
    ] + RBACResources.all + [CertificateSigningRequests.definition]
}
