extension Parser {
  /// Parses a string literal starting at its opening quote.
  ///
  /// Fast path: no escapes and valid UTF-8, so the String is made from the input slice once
  /// (ASCII is scanned 8 bytes at a time). Otherwise the decoded bytes are built in `scratch`
  /// (escapes resolved, each invalid UTF-8 byte replaced by U+FFFD as Go does) and
  /// `lastStringWasDecoded` is set.
  mutating func parseString(isKey: Bool = false) throws(JSONError) -> String {
    let base = self.base
    let count = self.count
    let start = i + 1
    var p = start
    scan: while true {
      while p + 8 <= count && SWAR.parserSpecial(SWAR.load(base + p)) == 0 { p += 8 }
      while p < count {
        let b = base[p]
        if b >= 0x80 {
          let n = Parser.utf8SequenceLength(base, count, p)
          if n == 0 { break scan }
          p += n
          continue scan
        }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break scan }
        p += 1
      }
      break
    }
    if p < count && base[p] == UInt8(ascii: "\"") {
      i = p + 1
      lastStringWasDecoded = false
      if isKey {
        let n = p - start
        if let known = KnownKeys.lookup(base + start, n) { return known }
        if n >= InternedKeys.minLength && n <= InternedKeys.maxLength {
          return InternedKeys.shared.key(base + start, n)
        }
      }
      return String(
        decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)
    }
    i = p
    lastStringWasDecoded = true
    return try parseStringSlow(start: start)
  }

  /// Continues a string at `i` after the clean prefix `start..<i`, decoding into `scratch`;
  /// clean runs are found 8 bytes at a time and copied in bulk.
  mutating func parseStringSlow(start: Int) throws(JSONError) -> String {
    let base = self.base
    let count = self.count
    scratch.removeAll()
    var runStart = start
    var p = i
    while true {
      while p + 8 <= count && SWAR.parserSpecial(SWAR.load(base + p)) == 0 { p += 8 }
      guard p < count else { break }
      let b = base[p]
      if b >= 0x20 && b < 0x80 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
        p += 1
        continue
      }
      if b >= 0x80 {
        let n = Parser.utf8SequenceLength(base, count, p)
        if n != 0 {
          p += n
          continue
        }
      }
      scratch.append(UnsafeBufferPointer(start: base + runStart, count: p - runStart))
      if b == UInt8(ascii: "\"") {
        i = p + 1
        return String(decoding: scratch.bytes, as: UTF8.self)
      }
      i = p
      if b == UInt8(ascii: "\\") {
        try parseEscape()
        p = i
      } else if b < 0x20 {
        throw error("in string literal")
      } else {
        // An invalid UTF-8 byte: U+FFFD, as Go does.
        scratch.append(0xEF)
        scratch.append(0xBF)
        scratch.append(0xBD)
        p += 1
      }
      runStart = p
    }
    i = count
    throw endOfInput()
  }

  /// Decodes the escape at `i` (a backslash) into `scratch`.
  mutating func parseEscape() throws(JSONError) {
    i += 1
    guard i < count else { throw endOfInput() }
    let c = base[i]
    i += 1
    switch c {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(c)
    case UInt8(ascii: "b"): scratch.append(0x08)
    case UInt8(ascii: "f"): scratch.append(0x0C)
    case UInt8(ascii: "n"): scratch.append(0x0A)
    case UInt8(ascii: "r"): scratch.append(0x0D)
    case UInt8(ascii: "t"): scratch.append(0x09)
    case UInt8(ascii: "u"):
      var scalar = try parseHex4()
      if (0xD800..<0xDC00).contains(scalar) {
        // A high surrogate: combine with an immediately following low-surrogate escape.
        if i + 1 < count && base[i] == UInt8(ascii: "\\") && base[i + 1] == UInt8(ascii: "u") {
          let save = i
          i += 2
          let low = try parseHex4()
          if (0xDC00..<0xE000).contains(low) {
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else {
            scalar = 0xFFFD
            i = save  // the second escape is decoded on its own
          }
        } else {
          scalar = 0xFFFD
        }
      } else if (0xDC00..<0xE000).contains(scalar) {
        scalar = 0xFFFD
      }
      appendUTF8(scalar)
    default:
      i -= 1
      throw error("in string escape code")
    }
  }

  /// Reads four hex digits after `\u`.
  mutating func parseHex4() throws(JSONError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard i < count else { throw endOfInput() }
      let b = base[i]
      let d: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b &- UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b &- UInt8(ascii: "a") &+ 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b &- UInt8(ascii: "A") &+ 10
      default: throw error("in \\u hexadecimal character escape")
      }
      v = v << 4 | UInt32(d)
      i += 1
    }
    return v
  }

  mutating func appendUTF8(_ scalar: UInt32) {
    switch scalar {
    case 0..<0x80:
      scratch.append(UInt8(scalar))
    case 0x80..<0x800:
      scratch.append(UInt8(0xC0 | scalar >> 6))
      scratch.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
      scratch.append(UInt8(0xE0 | scalar >> 12))
      scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      scratch.append(UInt8(0x80 | scalar & 0x3F))
    default:
      scratch.append(UInt8(0xF0 | scalar >> 18))
      scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
      scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
      scratch.append(UInt8(0x80 | scalar & 0x3F))
    }
  }

  /// The length of the well-formed UTF-8 sequence starting at `at` (a byte >= 0x80), or 0 if
  /// it is ill-formed (Go's `utf8.DecodeRune` rules: no overlongs, surrogates or > U+10FFFF).
  func utf8SequenceLength(at p: Int) -> Int {
    Parser.utf8SequenceLength(base, count, p)
  }

  static func utf8SequenceLength(_ base: UnsafePointer<UInt8>, _ count: Int, _ p: Int) -> Int {
    let b0 = base[p]
    @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
      p + k < count && base[p + k] >= lo && base[p + k] <= hi
    }
    switch b0 {
    case 0xC2...0xDF:
      return cont(1) ? 2 : 0
    case 0xE0:
      return cont(1, 0xA0) && cont(2) ? 3 : 0
    case 0xED:
      return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
    case 0xE1...0xEF:
      return cont(1) && cont(2) ? 3 : 0
    case 0xF0:
      return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
    case 0xF1...0xF3:
      return cont(1) && cont(2) && cont(3) ? 4 : 0
    case 0xF4:
      return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
    default:
      return 0
    }
  }
}
