/// Who made a request, as authentication established it (kube's `user.Info`): user name, uid,
/// groups and extra attributes. Requests made by the server's own controllers carry no
/// `UserInfo` (they are trusted); HTTP requests always carry one once authentication runs.
public struct UserInfo: Sendable, Hashable {
  public var name: String
  public var uid: String
  public var groups: [String]
  public var extra: [String: [String]]

  public init(
    name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]
  ) {
    self.name = name
    self.uid = uid
    self.groups = groups
    self.extra = extra
  }

  /// The identity of a request without credentials.
  public static let anonymous = UserInfo(
    name: "system:anonymous", groups: ["system:unauthenticated"])

  /// Whether the user is in `group`.
  public func isMember(of group: String) -> Bool { groups.contains(group) }
}
