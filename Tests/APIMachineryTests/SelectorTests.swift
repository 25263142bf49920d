import Testing

@testable import APIMachinery

@Suite struct LabelSelectorTests {
  let labels = ["app": "demo", "tier": "web", "n": "5"]

  @Test(arguments: [
    ("", true), ("app=demo", true), ("app==demo", true), ("app!=demo", false), ("app", true),
    ("!app", false), ("missing", false), ("!missing", true), ("app in (demo,other)", true),
    ("app notin (demo)", false), ("missing notin (x)", true), ("missing!=x", true),
    ("app=demo,tier=web", true), ("app=demo,tier=db", false), ("n>4", true), ("n<4", false),
    ("app in (x, demo)", true),
  ])
  func matches(selector: String, expected: Bool) throws {
    #expect(try LabelSelector(parsing: selector).matches(labels) == expected)
  }

  @Test(arguments: ["app in demo", "app=", "=x", "app=a b", "n>x", "app in (a", "Bad Key=x"])
  func rejectsMalformedSelectors(selector: String) {
    if selector == "app=" {
      // An empty value is a valid label value.
      #expect((try? LabelSelector(parsing: selector)) != nil)
      return
    }
    #expect(throws: APIError.self) { try LabelSelector(parsing: selector) }
  }
}

@Suite struct FieldSelectorTests {
  @Test func parsesAndMatches() throws {
    let s = try FieldSelector(parsing: "metadata.name=a,metadata.namespace!=b")
    #expect(s.matches(["metadata.name": "a", "metadata.namespace": "c"]))
    #expect(!s.matches(["metadata.name": "a", "metadata.namespace": "b"]))
    #expect(s.requiredValue(for: "metadata.name") == "a")
  }

  @Test func escapedValues() throws {
    let s = try FieldSelector(parsing: #"metadata.name=a\,b\=c"#)
    #expect(s.requirements.first?.value == "a,b=c")
  }

  @Test func unsupportedFieldWordingFollowsKubeApiserver() throws {
    let s = try FieldSelector(parsing: "data.k=v")
    do {
      try s.validate(for: BuiltInResources.configMap)
      Issue.record("expected an error")
    } catch {
      #expect(
        error.message
          == "\"data.k\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
      )
    }
    do {
      try s.validate(for: OCMResources.managedCluster)
      Issue.record("expected an error")
    } catch {
      #expect(error.message == "field label not supported: data.k")
    }
    try FieldSelector(parsing: "status.phase=Active").validate(for: BuiltInResources.namespace)
  }
}

@Suite struct NameValidationTests {
  @Test(arguments: ["a", "a-b", "a.b", "0abc", String(repeating: "a", count: 253)])
  func validSubdomains(name: String) {
    #expect(NameValidation.subdomainProblems(name).isEmpty)
  }

  @Test(arguments: ["", "A", "-a", "a-", "a_b", "a..b", String(repeating: "a", count: 254)])
  func invalidSubdomains(name: String) {
    #expect(!NameValidation.subdomainProblems(name).isEmpty)
  }

  @Test func namespaceNamesAreLabels() {
    #expect(NameValidation.labelProblems("has.dot").count == 1)
    #expect(
      NameValidation.labelProblems(String(repeating: "a", count: 64)).contains(
        "must be no more than 63 characters"))
  }
}

@Suite struct PatchTests {
  @Test func mergePatchRemovesNullsAndMergesMaps() {
    let target: JSONValue = ["a": 1, "b": ["c": 2, "d": 3]]
    let result = Patches.mergePatch(target, ["a": .null, "b": ["c": .null, "e": 4]])
    #expect(result == ["b": ["d": 3, "e": 4]])
  }

  @Test func jsonPatchOperations() throws {
    let target: JSONValue = ["a": [1, 2], "b": "x"]
    let patch: JSONValue = [
      ["op": "add", "path": "/a/-", "value": 3], ["op": "replace", "path": "/b", "value": "y"],
      ["op": "test", "path": "/b", "value": "y"], ["op": "copy", "from": "/b", "path": "/c"],
      ["op": "remove", "path": "/a/0"],
    ]
    #expect(try Patches.jsonPatch(target, patch) == ["a": [2, 3], "b": "y", "c": "y"])
  }

  @Test func failingTestOperationIs422() {
    do {
      _ = try Patches.jsonPatch(["a": 1], [["op": "test", "path": "/a", "value": 2]])
      Issue.record("expected a failure")
    } catch {
      #expect(error.code == 422)
    }
  }

  @Test func strategicMergeMergesKeyedListsAndHonoursDirectives() throws {
    let target: JSONValue = [
      "metadata": ["finalizers": ["a"], "ownerReferences": [["uid": "1", "name": "x"]]],
      "data": ["k": "v", "old": "1"],
    ]
    let patch: JSONValue = [
      "metadata": ["finalizers": ["b"], "ownerReferences": [["uid": "2", "name": "y"]]],
      "data": ["$patch": "replace", "n": "w"],
    ]
    let result = try Patches.strategicMergePatch(target, patch)
    // apimachinery's merge order: items from the patch first unless the live order says otherwise.
    #expect(result["metadata"]?["finalizers"] == ["b", "a"])
    #expect(result["metadata"]?["ownerReferences"]?.arrayValue?.count == 2)
    #expect(result["data"] == ["n": "w"])
  }
}

import JSON
