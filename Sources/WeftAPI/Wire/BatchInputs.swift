import WeftCore
import WeftEngine

/// The positional bookkeeping every batch endpoint shares (REST `POST /v1/batch/objects`, gRPC
/// `BatchObjects` and `BatchStream`): each item is decoded on its own, the decodable ones go
/// through the write pipeline together, and the results come back in request order, an item that
/// could not be decoded failing alone.
enum BatchInputs {
    static func write<Item>(
        _ items: [Item], database: Database, decode: (Item) throws(WeftError) -> ObjectInput
    ) throws(WeftError) -> [Database.WriteResult] {
        var decoded: [Result<ObjectInput, WeftError>] = []
        decoded.reserveCapacity(items.count)
        for item in items { decoded.append(Result { () throws(WeftError) -> ObjectInput in try decode(item) }) }
        let inputs = decoded.compactMap { try? $0.get() }
        var written = try database.batchWrite(inputs).makeIterator()
        return decoded.map { result in
            switch result {
            case .success: written.next()!
            case .failure(let error): .failure(error)
            }
        }
    }
}
