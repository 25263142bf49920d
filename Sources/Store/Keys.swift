/// Identifies a kind of stored object: an API group ("" for the core group) and the resource's
/// plural name (e.g. `configmaps`). Versions are not part of the key: one stored form per resource.
public struct ResourceKey: Hashable, Sendable, CustomStringConvertible {
  public var group: String
  public var resource: String

  public init(group: String, resource: String) {
    self.group = group
    self.resource = resource
  }

  public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }

  /// The plural alone: equal keys still hash alike, a lookup hashes one string instead of two,
  /// and resources sharing a plural across groups are few.
  public func hash(into hasher: inout Hasher) { hasher.combine(resource) }
}

/// Identifies one stored object: its resource, namespace ("" for cluster-scoped resources) and
/// name. Objects of a resource are ordered like etcd keys: by the bytes of `namespace/name`
/// (`name` alone when the namespace is empty).
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
  public var resource: ResourceKey
  public var namespace: String
  public var name: String

  public init(resource: ResourceKey, namespace: String, name: String) {
    self.resource = resource
    self.namespace = namespace
    self.name = name
  }

  public init(group: String, resource: String, namespace: String, name: String) {
    self.init(
      resource: ResourceKey(group: group, resource: resource), namespace: namespace, name: name)
  }

  public var description: String {
    namespace.isEmpty ? "\(resource)/\(name)" : "\(resource)/\(namespace)/\(name)"
  }

  /// Namespace and name only: equal keys still hash alike, a point read hashes two strings
  /// instead of three, and keys differing only in their resource (one object per kind with the
  /// same namespace and name, bounded by the number of resources) just share a probe sequence.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(namespace)
    hasher.combine(name)
  }

  /// The key relative to the resource prefix, as etcd and continue tokens spell it:
  /// `namespace/name`, or `name` for cluster-scoped objects.
  var relativePath: String { namespace.isEmpty ? name : namespace + "/" + name }
}

/// Orders keys of one resource like etcd orders `namespace/name` byte strings.
func keyPrecedes(_ a: ObjectKey, _ b: ObjectKey) -> Bool {
  keyPrecedes(namespace: a.namespace, name: a.name, b.namespace, b.name)
}

/// Orders `(namespace, name)` pairs like the byte strings `namespace/name` (or `name` alone for
/// an empty namespace), without building those strings.
func keyPrecedes(namespace an: String, name aname: String, _ bn: String, _ bname: String) -> Bool {
  if an == bn { return NameOrder.precedes(aname, bname) }
  if an.isEmpty || bn.isEmpty {
    // Cluster-scoped and namespaced keys never share a resource; order them deterministically.
    return an.isEmpty
  }
  // The namespaces differ and neither contains "/": compare "an/" with "bn/".
  var ia = an.utf8.makeIterator()
  var ib = bn.utf8.makeIterator()
  let slash = UInt8(ascii: "/")
  while true {
    switch (ia.next(), ib.next()) {
    case (let x?, let y?): if x != y { return x < y }
    case (nil, let y?): return slash < y
    case (let x?, nil): return x < slash
    case (nil, nil): return false
    }
  }
}
