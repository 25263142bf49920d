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
    var s = s
    return s.withUTF8 { isLabel($0[...]) }
  }

  /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over UTF-8 bytes.
  static func isLabel(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    guard let first = b.first, let last = b.last else { return false }
    @inline(__always) func alnum(_ c: UInt8) -> Bool {
      (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
    }
    guard alnum(first), alnum(last) else { return false }
    for c in b where !alnum(c) && c != 45 { return false }
    return true
  }

  /// Dot-separated labels, over the bytes in place (no split, no substrings: every write
  /// validates its name).
  static func isSubdomain(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { isSubdomain($0[...]) }
  }

  static func isSubdomain(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    guard !b.isEmpty else { return false }
    var start = b.startIndex
    for i in b.startIndex...b.endIndex where i == b.endIndex || b[i] == UInt8(ascii: ".") {
      guard isLabel(b[start..<i]) else { return false }
      start = i + 1
    }
    return true
  }

  /// The path-segment rule every name must follow.
  public static func pathSegmentProblems(_ name: String) -> [String] {
    if name == "." || name == ".." { return ["may not be '\(name)'"] }
    var problems: [String] = []
    if name.utf8.contains(UInt8(ascii: "/")) { problems.append("may not contain '/'") }
    if name.utf8.contains(UInt8(ascii: "%")) { problems.append("may not contain '%'") }
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
    var s = s
    return s.withUTF8 { isQualifiedNamePart($0[...]) }
  }

  /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` over UTF-8 bytes.
  static func isQualifiedNamePart(_ b: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
    guard let first = b.first, let last = b.last else { return false }
    @inline(__always) func alnum(_ c: UInt8) -> Bool {
      (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
    }
    guard alnum(first), alnum(last) else { return false }
    for c in b where !alnum(c) && c != 45 && c != 95 && c != 46 { return false }
    return true
  }

  /// The problem with a label (or annotation) key, or nil.
  public static func keyProblem(_ key: String) -> String? {
    var key = key
    return key.withUTF8 { b -> String? in
      var slash: Int?
      for i in b.indices where b[i] == UInt8(ascii: "/") {
        if slash != nil {
          return "a qualified name " + nameMessage.dropFirst("name part ".count)
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        }
        slash = i
      }
      var name = b[...]
      if let slash {
        let prefix = b[..<slash]
        if prefix.isEmpty { return "prefix part must be non-empty" }
        if prefix.count > 253 || !NameValidation.isSubdomain(prefix) {
          return "prefix part " + NameValidation.subdomainMessage
        }
        name = b[(slash + 1)...]
      }
      if name.isEmpty { return "name part must be non-empty" }
      if name.count > 63 { return "name part must be no more than 63 characters" }
      if !isQualifiedNamePart(name) { return nameMessage }
      return nil
    }
  }

  /// The problem with a label value, or nil.
  public static func valueProblem(_ value: String) -> String? {
    if value.isEmpty { return nil }
    if value.utf8.count > 63 { return "must be no more than 63 characters" }
    if !isQualifiedNamePart(value) { return valueMessage }
    return nil
  }
}
