import APIMachinery
import JSON
import Testing

/// The create fast path of `FieldValues.compare` (old absent or `{}`: the added set built in
/// one pass) reports exactly what the general walk reports for the same object.
@Suite struct FieldComparisonTests {
  static let objects: [(ResourceDefinition, String)] = [
    (
      BuiltInResources.configMap,
      #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"1","b":"2"},"annotations":{}},"data":{"z":"1","a":"2","m":""},"binaryData":null}"#
    ),
    (
      OCMResources.managedCluster,
      #"{"apiVersion":"cluster.open-cluster-management.io/v1","kind":"ManagedCluster","metadata":{"name":"c1","finalizers":["b","a"]},"spec":{"hubAcceptsClient":true,"leaseDurationSeconds":60,"managedClusterClientConfigs":[{"url":"https://a","caBundle":"Zm9v"},{"url":"https://b"}],"taints":[{"key":"k2","effect":"NoSelect","timeAdded":null},{"key":"k1","effect":"NoSelect","value":"v"}]},"status":{"conditions":[{"type":"A","status":"True"}],"capacity":{"cpu":"8"}}}"#
    ),
    (
      OCMResources.manifestWork,
      #"{"apiVersion":"work.open-cluster-management.io/v1","kind":"ManifestWork","metadata":{"name":"w","namespace":"n","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"u1"},{"apiVersion":"v1","kind":"ConfigMap","name":"p","uid":"u0"}]},"spec":{"workload":{"manifests":[{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"x"},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"b","image":"i","ports":[{"containerPort":80}]},{"name":"a","image":"j"}]}}}},{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}]},"deleteOption":{"propagationPolicy":"Foreground"},"manifestConfigs":[]}}"#
    ),
    (
      BuiltInResources.namespace,
      #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n","labels":{"kubernetes.io/metadata.name":"n"}},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active","conditions":[]}}"#
    ),
  ]

  @Test(arguments: 0..<objects.count) func createPathMatchesTheGeneralWalk(_ index: Int) throws {
    let (resource, text) = Self.objects[index]
    let object = try JSONParser.parse(Array(text.utf8))
    let schema = ManagedFieldsSchema(resource)
    let fast = FieldValues.compare(nil, object, schema: schema)
    // The general walk, forced: an old object whose only member is null counts as absent
    // member by member, so it reports what a create does.
    let general = FieldValues.compare(["metadata": .null], object, schema: schema)
    #expect(!fast.added.isEmpty)
    #expect(fast == general)
    #expect(fast.added.fieldsV1.jsonString == general.added.fieldsV1.jsonString)
  }
}
