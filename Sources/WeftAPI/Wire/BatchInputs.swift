import WeftCore
import WeftEngine

/// The positional bookkeeping every batch endpoint shares (REST `POST /v1/batch/objects`, gRPC
/// `BatchObjects` and `BatchStream`): each item is decoded on its own, the decodable ones go
/// through the write pipeline together, and the results come back in request order, an item that
/// could not be decoded failing alone.
enum BatchInputs {
    static func write<Item>(
        _ items: [Item], pipeline: WritePipeline, decode: (Item) throws(WeftError) -> ObjectInput
    ) throws(WeftError) -> LaneStep<[Database.WriteResult]> {
        var decoded: [Result<ObjectInput, WeftError>] = []
        decoded.reserveCapacity(items.count)
        for item in items { decoded.append(Result { () throws(WeftError) -> ObjectInput in try decode(item) }) }
        let inputs = decoded.compactMap { try? $0.get() }
        let decodedInputs = decoded
        return try pipeline.writeOnLane(inputs.map { ObjectWrite($0, kind: .upsert) }, lane: .write).map { written in
            merge(decodedInputs, written)
        }
    }

    /// One result per item in request order: the items that failed before the write keep their
    /// error, the others take the write's results in turn (`written` has one per success).
    static func merge<Item>(_ items: [Result<Item, WeftError>], _ written: [Database.WriteResult]) -> [Database.WriteResult] {
        var next = written.makeIterator()
        return items.map { item in
            switch item {
            case .success: next.next()!
            case .failure(let error): .failure(error)
            }
        }
    }
}
