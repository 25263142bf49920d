import APIMachinery
import Testing

/// `UserInfo` shares one box between copies: it must still behave as a plain value.
@Suite struct UserInfoTests {
  @Test func copiesAreIndependentValues() {
    let alice = UserInfo(name: "alice", uid: "u1", groups: ["g1"], extra: ["k": ["v"]])
    var changed = alice
    changed.groups.append("system:authenticated")
    changed.name = "bob"
    #expect(alice.name == "alice" && alice.groups == ["g1"])
    #expect(changed.name == "bob" && changed.groups == ["g1", "system:authenticated"])
    #expect(changed.uid == "u1" && changed.extra == ["k": ["v"]])
    #expect(
      changed.isMember(of: "system:authenticated") && !alice.isMember(of: "system:authenticated"))
  }

  @Test func equalityAndHashingFollowTheFields() {
    let a = UserInfo(name: "alice", uid: "u1", groups: ["g1"], extra: ["k": ["v"]])
    let b = UserInfo(name: "alice", uid: "u1", groups: ["g1"], extra: ["k": ["v"]])
    #expect(a == b && a.hashValue == b.hashValue)
    var c = b
    c.uid = "u2"
    #expect(a != c)
    var d = b
    d.extra = [:]
    #expect(a != d)
    #expect(Set([a, b, c, d]).count == 3)
  }
}
