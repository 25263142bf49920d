#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed system call: which call and the `errno` it left. Thrown by every wrapper in this
/// module; `EINTR` never escapes (it is retried) and `EAGAIN` is reported as a value, not an error.
public struct SystemError: Error, Sendable, CustomStringConvertible {
  public let call: String
  public let errno: Int32

  public init(_ call: String, errno: Int32) {
    self.call = call
    self.errno = errno
  }

  public var description: String {
    "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
  }
}
