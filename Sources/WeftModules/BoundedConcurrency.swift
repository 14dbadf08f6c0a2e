import WeftCore

/// `body` for each index in `0..<count`, at most `limit` at a time, results in index order; the
/// first failure cancels the rest and is thrown. How modules send many single requests (texts to a
/// service without a batch form, one prompt per search result) without flooding the service.
func concurrentMap<Output: Sendable>(
    _ count: Int, limit: Int, _ body: @escaping @Sendable (Int) async throws(WeftError) -> Output
) async throws(WeftError) -> [Output] {
    let outcome: Result<[Output], WeftError> = await withTaskGroup(of: (Int, Result<Output, WeftError>).self) { group in
        var outputs = [Output?](repeating: nil, count: count)
        var next = 0
        func submit() {
            let index = next
            next += 1
            group.addTask {
                do throws(WeftError) { return (index, .success(try await body(index))) } catch { return (index, .failure(error)) }
            }
        }
        while next < min(count, limit) { submit() }
        while let (index, result) = await group.next() {
            switch result {
            case .success(let output): outputs[index] = output
            case .failure(let error):
                group.cancelAll()
                return .failure(error)
            }
            if next < count { submit() }
        }
        return .success(outputs.map { $0! })
    }
    return try outcome.get()
}
