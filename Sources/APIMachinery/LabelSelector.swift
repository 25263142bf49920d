/// A parsed label selector (apimachinery `pkg/labels` grammar): comma-separated requirements,
/// all of which must hold. Empty = everything.
public struct LabelSelector: Sendable, Equatable {
  public enum Operator: Sendable, Equatable {
    case equals, notEquals, inSet, notInSet, exists, doesNotExist, greaterThan, lessThan
  }

  public struct Requirement: Sendable, Equatable {
    public var key: String
    public var op: Operator
    public var values: [String]

    public func matches(_ labels: [String: String]) -> Bool {
      let value = labels[key]
      switch op {
      case .equals, .inSet:
        guard let value else { return false }
        return values.contains(value)
      case .notEquals, .notInSet:
        guard let value else { return true }
        return !values.contains(value)
      case .exists: return value != nil
      case .doesNotExist: return value == nil
      case .greaterThan, .lessThan:
        guard let value, let have = Int64(value), let want = values.first.flatMap({ Int64($0) })
        else { return false }
        return op == .greaterThan ? have > want : have < want
      }
    }
  }

  public var requirements: [Requirement]

  public static let everything = LabelSelector(requirements: [])

  public init(requirements: [Requirement]) { self.requirements = requirements }

  public var isEverything: Bool { requirements.isEmpty }

  public func matches(_ labels: [String: String]) -> Bool {
    for r in requirements where !r.matches(labels) { return false }
    return true
  }

  /// Parses `a=b,c!=d,e in (x,y),!f,g`. Throws the message kube-apiserver puts in its 400.
  public init(parsing text: String) throws(APIError) {
    var lexer = SelectorLexer(text)
    var requirements: [Requirement] = []
    if lexer.atEnd {
      self.requirements = []
      return
    }
    while true {
      requirements.append(try Self.requirement(&lexer, text: text))
      if lexer.atEnd { break }
      guard lexer.consume(",") else {
        throw APIError.badRequest("unable to parse requirement: found '\(lexer.rest)', expected: ','")
      }
    }
    self.requirements = requirements
  }

  private static func requirement(_ lexer: inout SelectorLexer, text: String) throws(APIError) -> Requirement {
    let negated = lexer.consume("!")
    let key = lexer.identifier()
    guard !key.isEmpty else {
      throw APIError.badRequest("unable to parse requirement: found '\(lexer.rest)', expected: identifier")
    }
    try validateKey(key)
    if negated { return Requirement(key: key, op: .doesNotExist, values: []) }
    if lexer.atEnd || lexer.peek(",") { return Requirement(key: key, op: .exists, values: []) }
    let op: Operator
    if lexer.consume("==") || lexer.consume("=") {
      op = .equals
    } else if lexer.consume("!=") {
      op = .notEquals
    } else if lexer.consume(">") {
      op = .greaterThan
    } else if lexer.consume("<") {
      op = .lessThan
    } else if lexer.consumeWord("notin") {
      op = .notInSet
    } else if lexer.consumeWord("in") {
      op = .inSet
    } else {
      throw APIError.badRequest("unable to parse requirement: found '\(lexer.rest)', expected: in, notin, =, ==, !=, gt, lt")
    }
    if op == .inSet || op == .notInSet {
      guard lexer.consume("(") else {
        throw APIError.badRequest("unable to parse requirement: found '\(lexer.rest)', expected: '('")
      }
      var values: [String] = []
      while true {
        let v = lexer.identifier()
        try validateValue(v)
        values.append(v)
        if lexer.consume(")") { break }
        guard lexer.consume(",") else {
          throw APIError.badRequest("unable to parse requirement: found '\(lexer.rest)', expected: ',' or ')'")
        }
      }
      return Requirement(key: key, op: op, values: values)
    }
    let value = lexer.identifier()
    if op == .greaterThan || op == .lessThan {
      guard Int64(value) != nil else {
        throw APIError.badRequest("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer")
      }
    } else {
      try validateValue(value)
    }
    return Requirement(key: key, op: op, values: [value])
  }

  private static func validateKey(_ key: String) throws(APIError) {
    if let problem = LabelValidation.keyProblem(key) {
      throw APIError.badRequest("unable to parse requirement: values[0][\(key)]: Invalid value: \"\(key)\": \(problem)")
    }
  }

  private static func validateValue(_ value: String) throws(APIError) {
    if let problem = LabelValidation.valueProblem(value) {
      throw APIError.badRequest("unable to parse requirement: values[0]: Invalid value: \"\(value)\": \(problem)")
    }
  }
}

/// A tiny scanner shared by the label and field selector parsers.
struct SelectorLexer {
  private let chars: [Character]
  private var i = 0

  init(_ text: String) { chars = Array(text) }

  var atEnd: Bool {
    mutating get {
      skipSpaces()
      return i >= chars.count
    }
  }

  var rest: String { String(chars[min(i, chars.count)...]) }

  mutating func skipSpaces() {
    while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
  }

  mutating func peek(_ s: String) -> Bool {
    skipSpaces()
    let p = Array(s)
    guard i + p.count <= chars.count else { return false }
    return Array(chars[i..<(i + p.count)]) == p
  }

  mutating func consume(_ s: String) -> Bool {
    guard peek(s) else { return false }
    i += s.count
    return true
  }

  /// A keyword followed by a space or `(`.
  mutating func consumeWord(_ word: String) -> Bool {
    guard peek(word) else { return false }
    let after = i + word.count
    guard after < chars.count, chars[after] == " " || chars[after] == "(" else { return false }
    i = after
    return true
  }

  /// Characters up to a delimiter (space, `,`, `=`, `!`, `(`, `)`, `<`, `>`).
  mutating func identifier() -> String {
    skipSpaces()
    let start = i
    while i < chars.count, !" \t,=!()<>".contains(chars[i]) { i += 1 }
    return String(chars[start..<i])
  }
}
