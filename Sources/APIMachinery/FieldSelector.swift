/// A parsed field selector (apimachinery `pkg/fields` grammar): comma-separated
/// `field=value`, `field==value` or `field!=value`, all of which must hold. Values may escape
/// `\,`, `\=` and `\\`.
public struct FieldSelector: Sendable, Equatable {
  public struct Requirement: Sendable, Equatable {
    public var field: String
    public var value: String
    public var negated: Bool
  }

  public var requirements: [Requirement]

  public static let everything = FieldSelector(requirements: [])

  public init(requirements: [Requirement]) { self.requirements = requirements }

  public var isEverything: Bool { requirements.isEmpty }

  public func matches(_ fields: [String: String]) -> Bool {
    for r in requirements {
      let have = fields[r.field] ?? ""
      if (have == r.value) == r.negated { return false }
    }
    return true
  }

  /// The value required for `field` by an `=` requirement, if any (used to narrow lookups and
  /// to check a URL name against `metadata.name`).
  public func requiredValue(for field: String) -> String? {
    requirements.first { $0.field == field && !$0.negated }?.value
  }

  public init(parsing text: String) throws(APIError) {
    var requirements: [Requirement] = []
    for term in Self.splitTerms(text) where !term.isEmpty {
      requirements.append(try Self.requirement(term, selector: text))
    }
    self.requirements = requirements
  }

  /// Checks every field against what the resource supports, with kube-apiserver's wording
  /// (ConfigMaps and Secrets list the supported fields; other kinds say `field label not supported`).
  public func validate(for resource: ResourceDefinition) throws(APIError) {
    for r in requirements where !resource.selectableFields.contains(r.field) {
      if resource.group.isEmpty && (resource.plural == "configmaps" || resource.plural == "secrets")
      {
        let list = resource.selectableFields.map { "\"\($0)\"" }.joined(separator: ", ")
        throw APIError.badRequest("\"\(r.field)\" is not a known field selector: only \(list)")
      }
      throw APIError.badRequest("field label not supported: \(r.field)")
    }
  }

  private static func splitTerms(_ text: String) -> [String] {
    var terms: [String] = []
    var current = ""
    var escaped = false
    for c in text {
      if escaped {
        current.append("\\")
        current.append(c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "," {
        terms.append(current)
        current = ""
      } else {
        current.append(c)
      }
    }
    if escaped { current.append("\\") }
    terms.append(current)
    return terms
  }

  /// apimachinery's `splitTerm`: the first `!=`, `==` or `=` anywhere in the term (escapes are
  /// only interpreted in the value afterwards).
  private static func requirement(_ term: String, selector: String) throws(APIError) -> Requirement
  {
    let chars = Array(term)
    for i in chars.indices {
      let rest = chars[i...]
      for op in ["!=", "==", "="] where rest.starts(with: op) {
        return Requirement(
          field: String(chars[..<i]), value: try unescape(String(chars[(i + op.count)...])),
          negated: op == "!=")
      }
    }
    throw APIError.badRequest("invalid selector: '\(selector)'; can't understand '\(term)'")
  }

  /// `UnescapeValue`, with its errors (an unescaped rune prints as its code point, as Go's `%v`
  /// of a rune does).
  private static func unescape(_ value: String) throws(APIError) -> String {
    var out = ""
    var escaped = false
    for c in value.unicodeScalars {
      if escaped {
        guard c == "\\" || c == "," || c == "=" else {
          throw APIError.badRequest("invalid field selector: invalid escape sequence: \\\(c)")
        }
        out.unicodeScalars.append(c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else if c == "=" || c == "," {
        throw APIError.badRequest(
          "invalid field selector: unescaped character in value: \(c.value)")
      } else {
        out.unicodeScalars.append(c)
      }
    }
    if escaped { throw APIError.badRequest("invalid field selector: invalid escape sequence: \\") }
    return out
  }
}
