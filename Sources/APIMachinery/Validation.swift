/// Name and metadata validation with apimachinery's exact messages
/// (`pkg/util/validation/validation.go`).
public enum NameValidation {
  static let subdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
  static let labelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

  /// Problems with `name` as a DNS-1123 subdomain (≤253), or nil.
  public static func subdomainProblems(_ name: String) -> [String] {
    var problems: [String] = []
    if name.utf8.count > 253 { problems.append("must be no more than 253 characters") }
    if !isSubdomain(name) { problems.append(subdomainMessage) }
    return problems
  }

  /// Problems with `name` as a DNS-1123 label (≤63), or nil.
  public static func labelProblems(_ name: String) -> [String] {
    var problems: [String] = []
    if name.utf8.count > 63 { problems.append("must be no more than 63 characters") }
    if !isLabel(name) {
      // A valid subdomain that is not a label can only be one with dots (apimachinery wording).
      problems.append(isSubdomain(name) ? "must not contain dots" : labelMessage)
    }
    return problems
  }

  static func isLabel(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard let first = b.first, let last = b.last else { return false }
    func alnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    guard alnum(first), alnum(last) else { return false }
    return b.allSatisfy { alnum($0) || $0 == 45 }
  }

  static func isSubdomain(_ s: String) -> Bool {
    guard !s.isEmpty else { return false }
    return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
      isLabel(String($0))
    }
  }

  /// The path-segment rule every name must follow.
  public static func pathSegmentProblems(_ name: String) -> [String] {
    if name == "." || name == ".." { return ["may not be '\(name)'"] }
    var problems: [String] = []
    if name.contains("/") { problems.append("may not contain '/'") }
    if name.contains("%") { problems.append("may not contain '%'") }
    return problems
  }
}

/// Label key and value rules (`IsQualifiedName`, `IsValidLabelValue`).
public enum LabelValidation {
  static let nameMessage =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
  static let valueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

  static func isQualifiedNamePart(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard let first = b.first, let last = b.last else { return false }
    func alnum(_ c: UInt8) -> Bool {
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    }
    guard alnum(first), alnum(last) else { return false }
    return b.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
  }

  /// The problem with a label (or annotation) key, or nil.
  public static func keyProblem(_ key: String) -> String? {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    let name: Substring
    if parts.count == 2 {
      let prefix = String(parts[0])
      if prefix.isEmpty { return "prefix part must be non-empty" }
      if !NameValidation.subdomainProblems(prefix).isEmpty {
        return "prefix part " + NameValidation.subdomainMessage
      }
      name = parts[1]
    } else if parts.count == 1 {
      name = parts[0]
    } else {
      return "a qualified name " + nameMessage.dropFirst("name part ".count)
        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    }
    if name.isEmpty { return "name part must be non-empty" }
    if name.utf8.count > 63 { return "name part must be no more than 63 characters" }
    if !isQualifiedNamePart(String(name)) { return nameMessage }
    return nil
  }

  /// The problem with a label value, or nil.
  public static func valueProblem(_ value: String) -> String? {
    if value.isEmpty { return nil }
    if value.utf8.count > 63 { return "must be no more than 63 characters" }
    if !isQualifiedNamePart(value) { return valueMessage }
    return nil
  }
}
