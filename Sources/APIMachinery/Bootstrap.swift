import JSON

/// What a fresh server holds before any client writes: the system namespaces kube-apiserver
/// creates (`default`, `kube-system`, `kube-public`, `kube-node-lease`).
public enum Bootstrap {
  public static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

  public static func seed(_ registry: Registry) throws(APIError) {
    CustomResources.installStored(registry)
    for name in systemNamespaces {
      let namespace: JSONValue = [
        "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)],
      ]
      do {
        _ = try registry.create(
          BuiltInResources.namespace, namespace: "", body: namespace,
          options: WriteOptions(fieldManager: "kube-apiserver"))
      } catch  where error.code == 409 {
        continue
      }
    }
  }
}
