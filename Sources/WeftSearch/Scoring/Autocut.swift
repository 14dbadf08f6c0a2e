/// Weaviate's autocut: rescale the values (distances, or negated scores) so the first is 0 and
/// the last 1, subtract the straight line from first to last, and cut before the result where
/// the `jumps`-th local maximum of that difference lies. Returns how many results to keep.
enum Autocut {
    static func cutoff(_ values: [Float], jumps: Int) -> Int {
        let count = values.count
        guard count > 1, jumps > 0 else { return count }
        let span = values[count - 1] - values[0]
        guard span != 0 else { return count }
        let difference = values.indices.map { i in (values[i] - values[0]) / span - Float(i) / Float(count - 1) }
        var found = 0
        for i in 1..<count {
            let isPeak: Bool
            if i == count - 1 {
                isPeak = count > 2 && difference[i] > difference[i - 1] && difference[i] > difference[i - 2]
            } else {
                isPeak = difference[i] > difference[i - 1] && difference[i] > difference[i + 1]
            }
            if isPeak {
                found += 1
                if found >= jumps { return i }
            }
        }
        return count
    }
}
