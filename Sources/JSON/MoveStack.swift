/// A growable stack whose top elements can be moved out into an Array in one step, with no
/// per-element retain/release; the parser's pending array elements and object members live here.
struct MoveStack<Element>: ~Copyable {
  private(set) var base: UnsafeMutablePointer<Element>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = Swift.max(capacity, 1)
    base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
  }

  deinit {
    base.deinitialize(count: count)
    base.deallocate()
  }

  mutating func push(_ element: consuming Element) {
    if count == capacity { grow() }
    (base + count).initialize(to: element)
    count += 1
  }

  var isEmpty: Bool { count == 0 }

  /// Removes and returns the top element (the stack must not be empty).
  mutating func pop() -> Element {
    count -= 1
    return (base + count).move()
  }

  /// Pops everything above `newCount`.
  mutating func truncate(to newCount: Int) {
    (base + newCount).deinitialize(count: count - newCount)
    count = newCount
  }

  /// The element at `index` (`0..<count`, not checked).
  subscript(index: Int) -> Element {
    get { base[index] }
    nonmutating _modify { yield &base[index] }
  }

  /// Moves the elements from `start` up into a new Array and pops them.
  ///
  /// The array is sized with `reserveCapacity` and filled by moving appends: creating it with
  /// `init(unsafeUninitializedCapacity:)` looks the storage class's metadata up at run time on
  /// every call (~350 instructions, measured; more than the appends of a typical object).
  mutating func popArray(from start: Int) -> [Element] {
    let n = count - start
    if n == 0 { return [] }
    let source = base + start
    count = start
    var out: [Element] = []
    out.reserveCapacity(n)
    for k in 0..<n { out.append((source + k).move()) }
    return out
  }

  private mutating func grow() {
    let newCapacity = capacity * 2
    let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    newBase.moveInitialize(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }
}
