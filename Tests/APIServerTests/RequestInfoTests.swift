import Testing

@testable import APIServer

/// `RequestInfo.parse` follows kube-apiserver's `RequestInfoFactory` for resource paths.
@Suite struct RequestInfoTests {
  private func info(
    _ group: String, _ version: String, _ namespace: String?, _ resource: String,
    _ name: String? = nil, _ subresource: String? = nil
  ) -> RequestInfo {
    RequestInfo(
      group: group, version: version, namespace: namespace, resource: resource, name: name,
      subresource: subresource)
  }

  @Test func namespacedAndClusterScopedPaths() {
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/default/configmaps/cm1")
        == info("", "v1", "default", "configmaps", "cm1"))
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/default/configmaps")
        == info("", "v1", "default", "configmaps"))
    #expect(RequestInfo.parse(path: "/api/v1/configmaps") == info("", "v1", nil, "configmaps"))
    #expect(
      RequestInfo.parse(path: "/apis/apps/v1/namespaces/ns/deployments/d/status")
        == info("apps", "v1", "ns", "deployments", "d", "status"))
    #expect(
      RequestInfo.parse(path: "/apis/cluster.open-cluster-management.io/v1/managedclusters/c1")
        == info("cluster.open-cluster-management.io", "v1", nil, "managedclusters", "c1"))
    #expect(
      RequestInfo.parse(path: "/apis/g/v1beta1/widgets/w/scale")
        == info("g", "v1beta1", nil, "widgets", "w", "scale"))
  }

  @Test func namespaceObjectsAreNamedByTheirSegment() {
    #expect(RequestInfo.parse(path: "/api/v1/namespaces") == info("", "v1", nil, "namespaces"))
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/x") == info("", "v1", nil, "namespaces", "x"))
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/x/status")
        == info("", "v1", nil, "namespaces", "x", "status"))
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/x/finalize")
        == info("", "v1", nil, "namespaces", "x", "finalize"))
  }

  @Test func emptySegmentsAreDroppedAndBytesKept() {
    #expect(
      RequestInfo.parse(path: "//api//v1///namespaces/ns/configmaps/")
        == info("", "v1", "ns", "configmaps"))
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/é-ns/configmaps/naïve")
        == info("", "v1", "é-ns", "configmaps", "naïve"))
    let long = String(repeating: "n", count: 70)
    #expect(
      RequestInfo.parse(path: "/api/v1/namespaces/\(long)/secrets/\(long)")
        == info("", "v1", long, "secrets", long))
  }

  /// Slashes are found a word at a time: every segment length and offset, runs of slashes,
  /// and bytes one bit away from "/" ("." is 0x2E, U+00AF's UTF-8 ends in 0xAF).
  @Test func segmentsAtEveryOffset() {
    for a in 1...17 {
      for b in 1...17 {
        let ns = String(repeating: ".", count: a - 1) + "\u{AF}"
        let name = String(repeating: "n", count: b)
        let slashes = String(repeating: "/", count: 1 + (a + b) % 3)
        #expect(
          RequestInfo.parse(path: "/api/v1/namespaces/\(ns)\(slashes)configmaps/\(name)")
            == info("", "v1", ns, "configmaps", name), "\(a) \(b)")
      }
    }
  }

  @Test func nonResourcePathsAreNil() {
    for path in [
      "", "/", "/api", "/api/v1", "/apis", "/apis/g", "/apis/g/v1", "/version", "/healthz",
      "/foo/v1/configmaps", "/API/v1/configmaps", "/apis2/g/v/r",
      // Past eight segments, or more than resource/name/subresource after the namespace.
      "/apis/g/v/namespaces/n/r/name/sub/extra",
      "/api/v1/namespaces/ns/configmaps/cm/sub/extra",
      "/api/v1/configmaps/cm/sub/extra",
    ] {
      #expect(RequestInfo.parse(path: path) == nil, "\(path)")
    }
  }

  @Test func eightSegmentsAreEnough() {
    #expect(
      RequestInfo.parse(path: "/apis/g/v/namespaces/n/r/name/sub")
        == info("g", "v", "n", "r", "name", "sub"))
  }
}
