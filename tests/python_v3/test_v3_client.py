"""weaviate-client 3.26.7's GraphQL query builder and aggregate against Weft."""
import uuid


def seed(client):
    client.schema.create_class({
        "class": "Song", "vectorizer": "none", "vectorIndexConfig": {"distance": "l2-squared"},
        "properties": [{"name": "title", "dataType": ["text"]}, {"name": "year", "dataType": ["int"]},
                       {"name": "genre", "dataType": ["text"], "tokenization": "field"}],
    })
    for i in range(10):
        client.data_object.create({"title": f"song {i} " + ("love" if i % 2 else "rain"), "year": 2000 + i, "genre": "pop" if i < 5 else "rock"},
                                  "Song", uuid=str(uuid.UUID(int=i + 1)), vector=[float(i), 1.0])


def test_get_with_near_vector_where_and_additional(client):
    seed(client)
    result = (client.query.get("Song", ["title", "year"])
              .with_near_vector({"vector": [6.2, 1.0]})
              .with_where({"path": ["genre"], "operator": "Equal", "valueText": "rock"})
              .with_additional(["id", "distance"])
              .with_limit(3)
              .do())
    songs = result["data"]["Get"]["Song"]
    assert [s["year"] for s in songs] == [2006, 2007, 2005]
    assert songs[0]["_additional"]["id"] == str(uuid.UUID(int=7))
    assert abs(songs[0]["_additional"]["distance"] - 0.04) < 1e-5
    bm25 = client.query.get("Song", ["year"]).with_bm25(query="love").with_additional(["score"]).with_limit(10).do()
    assert sorted(s["year"] for s in bm25["data"]["Get"]["Song"]) == [2001, 2003, 2005, 2007, 2009]
    hybrid = client.query.get("Song", ["year"]).with_hybrid(query="rain", vector=[8.0, 1.0], alpha=0.5).with_limit(2).do()
    assert len(hybrid["data"]["Get"]["Song"]) == 2
    ordered = client.query.get("Song", ["year"]).with_sort({"path": ["year"], "order": "desc"}).with_limit(2).with_offset(1).do()
    assert [s["year"] for s in ordered["data"]["Get"]["Song"]] == [2008, 2007]


def test_aggregate(client):
    result = client.query.aggregate("Song").with_meta_count().with_fields("year { sum maximum mean }").do()
    song = result["data"]["Aggregate"]["Song"][0]
    assert song["meta"]["count"] == 10
    assert song["year"]["sum"] == 20045 and song["year"]["maximum"] == 2009 and song["year"]["mean"] == 2004.5
    grouped = client.query.aggregate("Song").with_group_by_filter(["genre"]).with_fields("groupedBy { value } meta { count }").do()
    counts = {g["groupedBy"]["value"]: g["meta"]["count"] for g in grouped["data"]["Aggregate"]["Song"]}
    assert counts == {"pop": 5, "rock": 5}
    filtered = (client.query.aggregate("Song").with_where({"path": ["year"], "operator": "LessThan", "valueInt": 2003})
                .with_meta_count().do())
    assert filtered["data"]["Aggregate"]["Song"][0]["meta"]["count"] == 3


def test_errors_come_back_in_graphql_errors(client):
    result = client.query.get("Song", ["title"]).with_where({"path": ["year"], "operator": "Equal", "valueText": "x"}).do()
    assert "errors" in result and "valueInt" in result["errors"][0]["message"]
