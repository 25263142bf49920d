/// Limits and policies for `JSONParser`.
public struct JSONParseOptions: Sendable {
  /// What the parser does when an object repeats a key.
  public enum DuplicateKeys: Sendable, Equatable {
    /// Keep the last value, at the position of the first occurrence (Go's `encoding/json`).
    case lastWins
    /// Fail with `duplicate field "<key>"` (kube-apiserver's `fieldValidation=Strict`).
    case reject
  }

  /// The deepest allowed nesting of arrays and objects; `[[]]` has depth 2. Parsing itself
  /// never recurses, but `==`, freeing a value and the writer do, one stack frame per level:
  /// keep this modest (Go's own limit is 10,000).
  public var maxDepth: Int
  /// The largest accepted input in bytes; nil means no limit.
  public var maxBytes: Int?
  /// The duplicate-key policy.
  public var duplicateKeys: DuplicateKeys

  public init(maxDepth: Int = 512, maxBytes: Int? = nil, duplicateKeys: DuplicateKeys = .lastWins) {
    self.maxDepth = maxDepth
    self.maxBytes = maxBytes
    self.duplicateKeys = duplicateKeys
  }
}

/// A key that appeared more than once in one object.
public struct JSONDuplicateKey: Sendable, Equatable {
  /// Where the repeated member lives (its last token is the key).
  public var pointer: JSONPointer
  /// The byte offset of the repeated key's opening quote.
  public var offset: Int

  public init(pointer: JSONPointer, offset: Int) {
    self.pointer = pointer
    self.offset = offset
  }
}

/// A parsed document plus what the parser noticed on the way.
public struct JSONParseResult: Sendable, Equatable {
  /// The document.
  public var value: JSONValue
  /// Every repeated key, in input order (empty unless the input had any).
  public var duplicateKeys: [JSONDuplicateKey]
}
