import Glibc

/// A blocking loopback HTTP/1.1 client for tests: sends raw bytes, reads one response
/// (Content-Length, chunked, or until close), with a receive timeout so no test can hang.
final class TestClient {
  let fd: Int32
  private var buffer: [UInt8] = []

  struct Response {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var chunks: [[UInt8]]

    func header(_ name: String) -> String? {
      headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
    var text: String { String(decoding: body, as: UTF8.self) }
  }

  struct Failure: Error, CustomStringConvertible { let description: String }

  init(port: UInt16, timeoutSeconds: Int = 5) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard rc == 0 else { throw Failure(description: "connect failed: errno \(errno)") }
    var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(fd) }

  func send(_ text: String) { send(Array(text.utf8)) }

  func send(_ bytes: [UInt8]) {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if n <= 0 { return }
      sent += n
    }
  }

  /// Sets a small receive buffer (before the peer starts sending) to make back-pressure visible.
  func shrinkReceiveBuffer() {
    var size: Int32 = 4096
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n == 0 { throw Failure(description: "connection closed") }
    if n < 0 { throw Failure(description: "read failed: errno \(errno)") }
    buffer.append(contentsOf: chunk[0..<n])
  }

  private func readLine() throws -> String {
    while true {
      if let i = buffer.firstIndex(of: 10), i > 0, buffer[i - 1] == 13 {
        let line = String(decoding: buffer[0..<(i - 1)], as: UTF8.self)
        buffer.removeFirst(i + 1)
        return line
      }
      try fill()
    }
  }

  private func readExactly(_ n: Int) throws -> [UInt8] {
    while buffer.count < n { try fill() }
    let out = Array(buffer[0..<n])
    buffer.removeFirst(n)
    return out
  }

  /// Reads one response. `isHead` for HEAD requests (no body follows).
  func readResponse(isHead: Bool = false) throws -> Response {
    let statusLine = try readLine()
    let parts = statusLine.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, let status = Int(parts[1]) else {
      throw Failure(description: "bad status line \(statusLine)")
    }
    var headers: [(String, String)] = []
    while true {
      let line = try readLine()
      if line.isEmpty { break }
      let colon = line.firstIndex(of: ":")!
      headers.append(
        (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters()))
    }
    var response = Response(status: status, headers: headers, body: [], chunks: [])
    if status == 100 || isHead { return response }
    if response.header("Transfer-Encoding") == "chunked" {
      while true {
        let sizeLine = try readLine()
        guard let size = Int(sizeLine, radix: 16) else {
          throw Failure(description: "bad chunk size \(sizeLine)")
        }
        if size == 0 {
          _ = try readLine()
          break
        }
        let data = try readExactly(size)
        response.chunks.append(data)
        response.body += data
        guard try readExactly(2) == [13, 10] else { throw Failure(description: "bad chunk end") }
      }
    } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
      response.body = try readExactly(length)
    } else {
      while true {
        do { try fill() } catch { break }
      }
      response.body = buffer
      buffer.removeAll()
    }
    return response
  }

  /// True if the server closed the connection (EOF) within the receive timeout.
  func isClosedByServer() -> Bool {
    var byte: UInt8 = 0
    return read(fd, &byte, 1) == 0
  }
}

extension String {
  func trimmingCharacters() -> String {
    var s = Substring(self)
    while s.first == " " { s.removeFirst() }
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
