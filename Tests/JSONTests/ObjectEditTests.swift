import JSON
import Testing

/// The in-place edits of objects the write path relies on: taking a member's object out,
/// inserting at a position, sorting members by rank, editing and removing members in one pass.
@Suite struct ObjectEditTests {
  @Test func takeObjectLeavesNullInPlace() throws {
    var o = try #require(
      try JSONParser.parse(#"{"a":1,"m":{"x":"y"},"z":[1]}"#).objectValue)
    let taken = o.takeObject("m")
    #expect(taken.map(JSONValue.object) == ["x": "y"])
    #expect(o.keys == ["a", "m", "z"])
    #expect(o["m"] == .null)
    let notObject = o.takeObject("a")
    #expect(notObject == nil)  // not an object: nothing changes
    #expect(o["a"] == 1)
    let absent = o.takeObject("absent")
    #expect(absent == nil)
    #expect(o.count == 3)
  }

  @Test func takeValueObjectAndArray() {
    var v: JSONValue = ["k": "v"]
    let notArray = v.takeArray()
    #expect(notArray == nil)
    #expect(v == ["k": "v"])
    let object = v.takeObject()
    #expect(object.map(JSONValue.object) == ["k": "v"])
    #expect(v == .null)
    var a: JSONValue = [1, 2]
    let notAnObject = a.takeObject()
    #expect(notAnObject == nil)
    let array = a.takeArray()
    #expect(array == [1, 2])
    #expect(a == .null)
  }

  @Test func insertUniqueAtAPosition() {
    var o = JSONObject([("b", 2), ("c", 3)])
    o.insertUnique("a", 1, at: 0)
    o.insertUnique("d", 4, at: 3)
    #expect(o.keys == ["a", "b", "c", "d"])
    #expect(JSONValue.object(o) == ["a": 1, "b": 2, "c": 3, "d": 4])
  }

  @Test func sortMembersIsStableAndKeepsValues() {
    let rank: (String) -> Int = { ["name": 0, "uid": 1, "labels": 2][$0] ?? 9 }
    var o = JSONObject([
      ("x", 1), ("labels", ["a": "b"]), ("y", 2), ("uid", "u"), ("name", "n"), ("z", 3),
    ])
    o.sortMembers(byRank: rank)
    #expect(o.keys == ["name", "uid", "labels", "x", "y", "z"])
    #expect(o["labels"] == ["a": "b"])
    #expect(o["uid"] == "u")
    var sorted = JSONObject([("name", "n"), ("other", 1)])
    sorted.sortMembers(byRank: rank)
    #expect(sorted.keys == ["name", "other"])
  }

  @Test func updateMembersEditsInPlaceAndRemovesInOrder() {
    var o = JSONObject([("a", 1), ("b", "drop"), ("c", ["x": 1]), ("d", "drop"), ("e", [1])])
    var seen: [String] = []
    o.updateMembers { key, value in
      seen.append(key)
      if value == "drop" { return false }
      if case .object(var inner) = value {
        inner["y"] = 2
        value = .object(inner)
      }
      return true
    }
    #expect(seen == ["a", "b", "c", "d", "e"])
    #expect(o.keys == ["a", "c", "e"])
    #expect(JSONValue.object(o) == ["a": 1, "c": ["x": 1, "y": 2], "e": [1]])
    var none = JSONObject([("a", 1), ("b", 2)])
    none.updateMembers { _, _ in false }
    #expect(none.isEmpty)
    var all = JSONObject([("a", 1), ("b", 2)])
    all.updateMembers { _, value in
      value = .int((value.int64Value ?? 0) * 10)
      return true
    }
    #expect(JSONValue.object(all) == ["a": 10, "b": 20])
  }

  @Test func containersAreObjectsAndArrays() {
    #expect(JSONValue.object(JSONObject()).isContainer)
    #expect(JSONValue.array([]).isContainer)
    for scalar: JSONValue in [.null, true, 1, 1.5, "s"] { #expect(!scalar.isContainer) }
  }
}
