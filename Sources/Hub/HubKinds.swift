import APIMachinery

/// The definitions the hub controllers write, looked up in the catalog on use (a CRD applied
/// for one of them replaces the built-in definition; an optional kind may not be served).
struct HubKinds: Sendable {
  let catalog: Catalog

  var managedCluster: ResourceDefinition {
    catalog.snapshot.resource(
      group: "cluster.open-cluster-management.io", version: "v1", plural: "managedclusters")
      ?? OCMResources.managedCluster
  }

  var manifestWork: ResourceDefinition {
    catalog.snapshot.resource(
      group: "work.open-cluster-management.io", version: "v1", plural: "manifestworks")
      ?? OCMResources.manifestWork
  }

  /// ManagedClusterAddOn in any served version (v1alpha1 at OCM v1.0.0), if served.
  var managedClusterAddOn: ResourceDefinition? {
    catalog.snapshot.definitions.first {
      $0.group == "addon.open-cluster-management.io" && $0.plural == "managedclusteraddons"
    }
  }

  var namespace: ResourceDefinition { BuiltInResources.namespace }
  var lease: ResourceDefinition { BuiltInResources.lease }
}
