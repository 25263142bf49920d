#if canImport(Glibc)
  import Glibc
#endif
import JSON
import Testing

@testable import APIMachinery

/// The create path's shortcuts give exactly what the general code gives: managedFields written
/// straight from the object, timestamps without the C library, batched UUID randomness,
/// byte-wise name and label-key validation, metadata ordering by rank.
@Suite struct CreatePathTests {
  static let objects: [(ResourceDefinition, String)] = [
    (
      BuiltInResources.configMap,
      #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"n","uid":"u","creationTimestamp":"2026-01-01T00:00:00Z","generation":1,"labels":{"x":"1","b":"2","a.b/c":"3"},"annotations":{}},"data":{"z":"1","a":"2","m":"","longer-key-than-fifteen-bytes":"v"},"binaryData":null}"#
    ),
    (
      BuiltInResources.configMap,
      #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"n","uid":"u"}}"#
    ),
    (
      OCMResources.managedCluster,
      #"{"kind":"ManagedCluster","apiVersion":"cluster.open-cluster-management.io/v1","metadata":{"name":"c1","finalizers":["b","a"],"uid":"u"},"spec":{"hubAcceptsClient":true,"leaseDurationSeconds":60,"managedClusterClientConfigs":[{"url":"https://a","caBundle":"Zm9v"},{"url":"https://b"}],"taints":[{"key":"k2","effect":"NoSelect","timeAdded":null},{"key":"k1","effect":"NoSelect","value":"v"}]},"status":{"conditions":[{"type":"A","status":"True"}],"capacity":{"cpu":"8"}}}"#
    ),
    (
      OCMResources.manifestWork,
      #"{"kind":"ManifestWork","apiVersion":"work.open-cluster-management.io/v1","metadata":{"name":"w","namespace":"n","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"u1"},{"apiVersion":"v1","kind":"ConfigMap","name":"p","uid":"u0"}]},"spec":{"workload":{"manifests":[{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"x"},"spec":{"replicas":1}},{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}]},"manifestConfigs":[]},"status":{"conditions":[]}}"#
    ),
    (
      // Malformed: containers where scalars belong still contribute the fields below them.
      BuiltInResources.configMap,
      #"{"kind":"ConfigMap","apiVersion":{"v":"1"},"metadata":{"name":"a","uid":{"u":["x"]},"labels":{"k":"v"}},"data":{"k":"v"}}"#
    ),
    (
      BuiltInResources.secret,
      #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","namespace":"n"},"type":"Opaque","data":{"k":"dg=="},"immutable":true}"#
    ),
  ]

  @Test(arguments: 0..<objects.count) func createdManagedFieldsMatchTheGeneralPath(_ index: Int)
    throws
  {
    let (resource, text) = Self.objects[index]
    guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else {
      Issue.record("not an object")
      return
    }
    var general = ManagedFields()
    general.recordUpdate(
      old: .object(JSONObject()), new: ManagedFields.withoutManagedFields(object), manager: "m",
      apiVersion: resource.apiVersion, subresource: .main, resource: resource, time: "T")
    let fast = ManagedFields.created(object, resource: resource, manager: "m", time: "T")
    #expect(fast.handled)
    #expect(fast.value?.jsonString == general.json?.jsonString)
  }

  @Test func serverOwnedMetadataByLength() {
    for key in ManagedFields.serverOwnedMetadata {
      #expect(ManagedFields.isServerOwnedMetadata(key), "\(key)")
    }
    for key in [
      "", "nam", "names", "labels", "annotations", "finalizers", "ownerReferences", "uiD",
    ] {
      #expect(!ManagedFields.isServerOwnedMetadata(key), "\(key)")
    }
  }

  @Test func namespacesTakeTheGeneralPath() {
    #expect(
      ManagedFields.createdFieldsV1(JSONObject(), resource: BuiltInResources.namespace) == nil)
  }

  @Test func timestampsMatchTheCLibrary() {
    var samples: [Int] = [0, -1, -86_400, 951_782_400, 951_868_799, 1_709_164_800, 4_102_444_799]
    var s = -2_000_000_000
    while s < 4_000_000_000 {
      samples.append(s)
      s += 7_777_777
    }
    for seconds in samples {
      #expect(ServerClock.format(seconds) == ServerClock.formatWithLibc(seconds), "\(seconds)")
    }
    #expect(ServerClock.format(1_795_000_000) == "2026-11-18T11:06:40Z")
  }

  @Test func timestampIsNowFormatted() {
    // The shared text of the current second: what formatting the clock gives, around the call.
    for _ in 0..<3 {
      let before = time(nil)
      let text = ServerClock.timestamp()
      let after = time(nil)
      #expect(text == ServerClock.format(before) || text == ServerClock.format(after))
    }
  }

  @Test func uuidsAreVersion4AndDistinct() {
    var seen = Set<String>()
    for _ in 0..<1000 {
      let u = ServerClock.uuid()
      let b = Array(u.utf8)
      #expect(b.count == 36)
      #expect(b[8] == 45 && b[13] == 45 && b[18] == 45 && b[23] == 45)
      #expect(b[14] == UInt8(ascii: "4"))
      #expect(
        [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(b[19])
      )
      seen.insert(u)
    }
    #expect(seen.count == 1000)
  }

  @Test func labelKeysAndNames() {
    #expect(LabelValidation.keyProblem("app") == nil)
    #expect(LabelValidation.keyProblem("example.com/My_name.1") == nil)
    #expect(LabelValidation.keyProblem("/x") == "prefix part must be non-empty")
    #expect(
      LabelValidation.keyProblem("Example.com/x")?.hasPrefix("prefix part a lowercase") == true)
    #expect(LabelValidation.keyProblem("a..b/x")?.hasPrefix("prefix part a lowercase") == true)
    #expect(LabelValidation.keyProblem("a/b/c")?.hasPrefix("a qualified name must consist") == true)
    #expect(LabelValidation.keyProblem("a/") == "name part must be non-empty")
    #expect(LabelValidation.keyProblem("-x") == LabelValidation.nameMessage)
    #expect(
      LabelValidation.keyProblem(String(repeating: "x", count: 64))
        == "name part must be no more than 63 characters")
    #expect(NameValidation.isSubdomain("a.b-c.d"))
    #expect(!NameValidation.isSubdomain("a..b"))
    #expect(!NameValidation.isSubdomain("a."))
    #expect(!NameValidation.isSubdomain(""))
    #expect(!NameValidation.isSubdomain("A"))
    #expect(NameValidation.isLabel("a-1"))
    #expect(!NameValidation.isLabel("a-"))
    #expect(
      NameValidation.pathSegmentProblems("a/b%") == ["may not contain '/'", "may not contain '%'"])
  }

  @Test func metadataIsOrderedAsKubeOrdersIt() throws {
    guard
      case .object(var object) = try JSONParser.parse(
        #"{"metadata":{"x":1,"labels":{},"uid":"u","name":"n","y":2,"namespace":"s"}}"#)
    else { return }
    ObjectMetaOrder.canonicalize(&object)
    #expect(
      object["metadata"]?.objectValue?.keys == [
        "name", "namespace", "uid", "resourceVersion", "labels", "x", "y",
      ])
  }
}
