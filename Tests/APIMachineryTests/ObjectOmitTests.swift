import JSON
import Testing

@testable import APIMachinery

/// The one-pass metadata edits of the write path and the FieldsV1 key helpers.
@Suite struct ObjectOmitTests {
  @Test func omitEmptyRemovesOnlyNamedEmptyOrNullMembers() throws {
    var meta = try #require(
      try JSONParser.parse(
        #"{"name":"n","labels":{},"annotations":null,"finalizers":[],"ownerReferences":[{"a":1}],"managedFields":null,"other":{},"extra":[],"keep":{"k":"v"}}"#
      ).objectValue)
    meta.omitEmpty(
      maps: ["labels", "annotations", "keep"],
      lists: ["finalizers", "ownerReferences", "managedFields"])
    #expect(meta.keys == ["name", "ownerReferences", "other", "extra", "keep"])
    // A list name holding an empty object (or a map name an empty list) stays.
    var odd = JSONObject([("labels", []), ("finalizers", .object(JSONObject()))])
    odd.omitEmpty(maps: ["labels"], lists: ["finalizers"])
    #expect(odd.keys == ["labels", "finalizers"])
  }

  @Test func removeMembersNamed() {
    var meta = JSONObject([
      ("name", "n"), ("selfLink", "/x"), ("uid", "u"), ("resourceVersion", "5"),
    ])
    meta.removeMembers(named: ["resourceVersion", "deletionTimestamp", "selfLink"])
    #expect(meta.keys == ["name", "uid"])
  }

  @Test func fieldKeysAndByteOrder() {
    #expect(FieldSet.fieldKey("a") == "f:a")
    #expect(FieldSet.fieldKey("") == "f:")
    #expect(FieldSet.fieldKey("key-0.properties") == "f:key-0.properties")
    #expect(FieldSet.fieldKey("é") == "f:é")
    #expect(FieldSet.compareBytes("a", "b") < 0)
    #expect(FieldSet.compareBytes("ab", "a") > 0)
    #expect(FieldSet.compareBytes("same-long-string-beyond-15", "same-long-string-beyond-15") == 0)
    // Bytes, not Unicode order: "é" (C3 A9) after "z"; decomposed "e\u{301}" before "f".
    #expect(FieldSet.compareBytes("é", "z") > 0)
    #expect(FieldSet.compareBytes("e\u{301}", "f") < 0)
    #expect(FieldSet.compareBytes("e\u{301}", "é") < 0)
  }
}
