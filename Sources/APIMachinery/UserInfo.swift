/// Who made a request, as authentication established it (kube's `user.Info`): user name, uid,
/// groups and extra attributes. Requests made by the server's own controllers carry no
/// `UserInfo` (they are trusted); HTTP requests always carry one once authentication runs.
///
/// A value type whose fields live in one shared, immutable box: every request hands its user
/// from authentication to the monitor, the limiter and the router, and a copy is one retain
/// instead of one per field. Setting a field replaces the box (users are rarely changed).
public struct UserInfo: Sendable, Hashable {
  /// The fields; never mutated once made. (Visible to inlined getters only.)
  @usableFromInline final class Fields: Sendable {
    @usableFromInline let name: String
    @usableFromInline let uid: String
    @usableFromInline let groups: [String]
    @usableFromInline let extra: [String: [String]]

    init(name: String, uid: String, groups: [String], extra: [String: [String]]) {
      self.name = name
      self.uid = uid
      self.groups = groups
      self.extra = extra
    }
  }

  @usableFromInline var fields: Fields

  public var name: String {
    @inlinable get { fields.name }
    set { fields = Fields(name: newValue, uid: uid, groups: groups, extra: extra) }
  }
  public var uid: String {
    @inlinable get { fields.uid }
    set { fields = Fields(name: name, uid: newValue, groups: groups, extra: extra) }
  }
  public var groups: [String] {
    @inlinable get { fields.groups }
    set { fields = Fields(name: name, uid: uid, groups: newValue, extra: extra) }
  }
  public var extra: [String: [String]] {
    @inlinable get { fields.extra }
    set { fields = Fields(name: name, uid: uid, groups: groups, extra: newValue) }
  }

  public init(
    name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]
  ) {
    fields = Fields(name: name, uid: uid, groups: groups, extra: extra)
  }

  /// The identity of a request without credentials.
  public static let anonymous = UserInfo(
    name: "system:anonymous", groups: ["system:unauthenticated"])

  /// Whether the user is in `group`.
  @inlinable public func isMember(of group: String) -> Bool { fields.groups.contains(group) }

  public static func == (a: UserInfo, b: UserInfo) -> Bool {
    a.fields === b.fields
      || (a.name == b.name && a.uid == b.uid && a.groups == b.groups && a.extra == b.extra)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(uid)
    hasher.combine(groups)
    hasher.combine(extra)
  }
}
