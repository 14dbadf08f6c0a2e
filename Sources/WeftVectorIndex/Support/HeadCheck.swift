/// When an exact l2-squared scan compares a vector's first half (its head) with the k-th best
/// distance so far before it reads the rest, and how much of the vectors ahead it prefetches.
///
/// A squared distance only grows with each further dimension, so a head already farther than
/// the k-th best rules the vector out, and the rest of it need not come from memory. How often
/// that happens depends on the data and on how tight the bound has become: on
/// synth-clustered-128-100k at a 10 % filter the share abandoned is about 0 over the first few
/// hundred vectors, and 0.36-0.94 over a whole scan (five queries, numpy); on
/// synth-uniform-128-100k it stays near 0 (0.003), and
/// checking every head there made the scan about 20 % slower. So the share is measured in
/// windows of checks and each window decides the next:
/// - below a quarter abandoned, heads are only probed (one vector in eight), to notice the bound tightening;
/// - from a quarter, every head is checked, but whole vectors are still prefetched;
/// - from seven eighths, only heads are prefetched: the few vectors that pass wait for the
///   rest of themselves, which costs less than reading every vector whole.
struct HeadCheck {
    enum Mode { case probe, check, headOnly }

    private(set) var mode = Mode.probe
    /// Vectors passed over so far.
    private(set) var abandoned = 0
    private var checkedInWindow = 0
    private var abandonedInWindow = 0
    private var sinceProbe = 0

    static let window = 32
    static let probeEvery = 8

    /// Whether to check this vector's head (called once per vector, once the results are full).
    mutating func shouldCheck() -> Bool {
        guard mode == .probe else { return true }
        sinceProbe &+= 1
        if sinceProbe < Self.probeEvery { return false }
        sinceProbe = 0
        return true
    }

    /// Records one check's outcome and, at the end of a window, picks the next window's mode.
    mutating func record(abandoned: Bool) {
        checkedInWindow &+= 1
        if abandoned {
            abandonedInWindow &+= 1
            self.abandoned &+= 1
        }
        guard checkedInWindow == Self.window else { return }
        mode = abandonedInWindow * 8 >= Self.window * 7 ? .headOnly : abandonedInWindow * 4 >= Self.window ? .check : .probe
        checkedInWindow = 0
        abandonedInWindow = 0
    }
}
