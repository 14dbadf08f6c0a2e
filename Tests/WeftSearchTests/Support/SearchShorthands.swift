import WeftCore
import WeftEngine
import WeftSearch

/// Tests' shorthand for the common searches; each is one `Database.search`, the one read path.
extension Database {
    func nearVector(className: String, vector: [Float], targetVector: String? = nil, limit: Int) throws(WeftError) -> [SearchResult] {
        try search(SearchRequest(collection: className, search: .nearVector(NearVector(vector: vector, targetVector: targetVector)), limit: limit)).results
    }

    func nearObject(className: String, id: ObjectID, targetVector: String? = nil, limit: Int) throws(WeftError) -> [SearchResult] {
        try search(SearchRequest(collection: className, search: .nearObject(NearObject(id: id, targetVector: targetVector)), limit: limit)).results
    }
}
