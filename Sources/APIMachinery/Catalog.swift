import Synchronization

/// Every resource the server serves, by group, version and plural. Readers get an immutable
/// snapshot (one lock and a retain); writers (CRD establishment) replace it.
public final class Catalog: Sendable {
  /// An immutable view of the catalog at one moment.
  public final class Snapshot: Sendable {
    /// All definitions in registration order (discovery lists them in this order).
    public let definitions: [ResourceDefinition]
    /// group, version and plural (or kind), no key string built per lookup. Only `name` is
    /// hashed (equal keys still hash alike): one string hash per lookup instead of three, and the
    /// few definitions sharing a name (one per served version) just share a probe sequence.
    private struct Key: Hashable {
      var group: String
      var version: String
      var name: String

      func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    private let byPath: [Key: Int]
    private let byKind: [Key: Int]
    /// `byPath` for ASCII plurals (nil if some served plural is not ASCII).
    private let pathIndex: CatalogPathIndex?

    init(_ definitions: [ResourceDefinition]) {
      self.definitions = definitions
      var byPath: [Key: Int] = [:]
      var byKind: [Key: Int] = [:]
      for (i, d) in definitions.enumerated() {
        byPath[Key(group: d.group, version: d.version, name: d.plural)] = i
        byKind[Key(group: d.group, version: d.version, name: d.kind)] = i
      }
      self.byPath = byPath
      self.byKind = byKind
      pathIndex = CatalogPathIndex(byPath.map { ($0.key.name, $0.value) })
    }

    /// The definition served at `/apis/group/version/plural` (`/api/v1/plural` for core).
    public func resource(group: String, version: String, plural: String) -> ResourceDefinition? {
      if let pathIndex, let bucket = CatalogPathIndex.bucket(of: plural) {
        return pathIndex.first(inBucket: bucket) { i in
          let d = definitions[i]
          return d.plural == plural && d.version == version && d.group == group
        }.map { definitions[$0] }
      }
      return byPath[Key(group: group, version: version, name: plural)].map { definitions[$0] }
    }

    public func resource(group: String, version: String, kind: String) -> ResourceDefinition? {
      byKind[Key(group: group, version: version, name: kind)].map { definitions[$0] }
    }

    /// Groups in order of first registration, each with its versions in order.
    public var groups: [(name: String, versions: [String])] {
      var order: [String] = []
      var versions: [String: [String]] = [:]
      for d in definitions {
        if versions[d.group] == nil { order.append(d.group) }
        if !(versions[d.group]?.contains(d.version) ?? false) {
          versions[d.group, default: []].append(d.version)
        }
      }
      return order.map { ($0, versions[$0]!) }
    }

    /// Definitions of one group-version, in registration order.
    public func resources(group: String, version: String) -> [ResourceDefinition] {
      definitions.filter { $0.group == group && $0.version == version }
    }

    /// Whether `group`/`version` is served at all.
    public func serves(group: String, version: String) -> Bool {
      definitions.contains { $0.group == group && $0.version == version }
    }
  }

  private let current: Mutex<Snapshot>

  public init(_ definitions: [ResourceDefinition] = Catalog.builtIn) {
    current = Mutex(Snapshot(definitions))
  }

  public var snapshot: Snapshot { current.withLock { $0 } }

  /// Adds or replaces the definitions of a (CRD-defined) group and plural.
  public func install(_ definitions: [ResourceDefinition]) {
    current.withLock { snapshot in
      var all = snapshot.definitions.filter { existing in
        !definitions.contains { $0.group == existing.group && $0.plural == existing.plural }
      }
      all.append(contentsOf: definitions)
      snapshot = Snapshot(all)
    }
  }

  /// Removes every version of `plural.group` (a deleted CRD).
  public func uninstall(group: String, plural: String) {
    current.withLock { snapshot in
      snapshot = Snapshot(
        snapshot.definitions.filter { !($0.group == group && $0.plural == plural) })
    }
  }

  /// Built-in kinds plus the OCM kinds an ITS serves from the start.
  public static let builtIn: [ResourceDefinition] = BuiltInResources.all + OCMResources.all
}
