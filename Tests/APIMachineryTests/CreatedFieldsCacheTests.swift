import JSON
import Testing

@testable import APIMachinery

/// The FieldsV1 cache of creates answers exactly what building gives, for objects of a shape
/// seen before and for objects that differ from it in any way the shape records.
@Suite struct CreatedFieldsCacheTests {
  static func object(_ text: String) throws -> JSONObject {
    guard case .object(let o) = try JSONParser.parse(Array(text.utf8)) else {
      throw JSONError(message: "not an object", offset: 0)
    }
    return o
  }

  /// `createdFieldsV1` without the cache.
  static func built(_ object: JSONObject, _ r: ResourceDefinition) -> JSONObject {
    ManagedFields.buildCreatedFieldsV1(
      object, ManagedFieldsSchema(r), skipsStatus: r.hasStatusSubresource)
  }

  static let variants = [
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","labels":{"x":"1"}},"data":{"k":"v"}}"#,
    // Other values, same shape.
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bb","labels":{"x":"2"}},"data":{"k":""}}"#,
    // A null where a scalar was, an object where a scalar was, another key, another order.
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","labels":{"x":null}},"data":{"k":"v"}}"#,
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","labels":{"x":{"y":"1"}}},"data":{"k":"v"}}"#,
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","labels":{"y":"1"}},"data":{"k":"v"}}"#,
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","labels":{"x":"1"}},"data":{"j":"v","k":"v"}}"#,
    #"{"kind":"ConfigMap","apiVersion":"v1","data":{"k":"v"},"metadata":{"name":"a","labels":{"x":"1"}}}"#,
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","labels":{}},"data":{"k":"v"}}"#,
    #"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"},"data":{"k":"v"}}"#,
    // Keys whose bytes would run together without their lengths.
    #"{"metadata":{"name":"a"},"data":{"ab":"v","c":"v"}}"#,
    #"{"metadata":{"name":"a"},"data":{"a":"v","bc":"v"}}"#,
  ]

  @Test func cachedFieldsAreWhatBuildingGives() throws {
    let r = BuiltInResources.configMap
    // Twice over, interleaved: the second round is answered from the cache.
    for _ in 0..<2 {
      for text in Self.variants {
        let o = try Self.object(text)
        let fields = ManagedFields.createdFieldsV1(o, resource: r)
        #expect(fields == Self.built(o, r), "\(text)")
      }
    }
  }

  @Test func theResourceIsPartOfTheKey() throws {
    // The same shape under a kind whose status is a subresource owns no status fields.
    let o = try Self.object(#"{"metadata":{"name":"a"},"spec":{"x":1},"status":{"y":2}}"#)
    for r in [BuiltInResources.configMap, OCMResources.managedCluster, BuiltInResources.configMap] {
      #expect(ManagedFields.createdFieldsV1(o, resource: r) == Self.built(o, r))
    }
  }

  @Test func skeletonsAndMatching() throws {
    func skeleton(_ text: String, budget: Int = 64) throws -> JSONObject? {
      var budget = budget
      return CreatedFieldsCache.skeleton(try Self.object(text), budget: &budget)
    }
    #expect(
      try skeleton(#"{"a":"x","b":{"c":null,"d":1.5}}"#)
        == Self.object(#"{"a":true,"b":{"c":null,"d":true}}"#))
    #expect(try skeleton(#"{"a":[]}"#) == nil)
    #expect(try skeleton(#"{"a":{"b":[1]}}"#) == nil)
    #expect(try skeleton(#"{"a":{"b":1}}"#, budget: 1) == nil)
    #expect(try skeleton(#"{"a":{"b":1}}"#, budget: 2) != nil)
    let s = try #require(try skeleton(#"{"a":"x","b":{"c":null}}"#))
    #expect(CreatedFieldsCache.matches(try Self.object(#"{"a":1,"b":{"c":null}}"#), s))
    for other in [
      #"{"a":null,"b":{"c":null}}"#, #"{"a":{},"b":{"c":null}}"#, #"{"a":[],"b":{"c":null}}"#,
      #"{"a":1,"b":{"c":1}}"#, #"{"a":1,"b":{}}"#, #"{"b":{"c":null},"a":1}"#,
      #"{"a":1,"b":{"c":null},"d":1}"#, #"{"a":1,"b":{"d":null}}"#, #"{"a":1,"b":1}"#,
    ] {
      #expect(!CreatedFieldsCache.matches(try Self.object(other), s), "\(other)")
    }
  }
}
