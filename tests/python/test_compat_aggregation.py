"""Aggregations and batch deletes as Weaviate answers them (issue 15, items 4 and 9): text
aggregations always carry top occurrences, an even number of dates has the midpoint as its
median, a hybrid aggregation may be bounded by max_vector_distance, a dry-run delete counts
what it would delete as successful."""
import datetime

import weaviate.classes as wvc
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.query import Filter


def test_text_aggregation_always_has_top_occurrences(client, name):
    collection = client.collections.create(name, properties=[Property(name="colour", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided())
    for index, colour in enumerate(["red", "red", "blue", "green", "red", "blue", "cyan", "pink", "gold"]):
        collection.data.insert({"colour": colour}, vector=[1.0, float(index)])
    [text] = collection.aggregate.over_all(return_metrics=wvc.query.Metrics("colour").text(count=True)).properties.values()
    assert text.count == 9
    assert [(o.value, o.count) for o in text.top_occurrences[:2]] == [("red", 3), ("blue", 2)]
    assert len(text.top_occurrences) == 5  # the default limit


def test_median_of_an_even_number_of_dates_is_the_midpoint(client, name):
    collection = client.collections.create(name, properties=[Property(name="when", data_type=DataType.DATE)],
                                           vector_config=Configure.Vectors.self_provided())
    for day in (1, 2, 4, 9):
        collection.data.insert({"when": datetime.datetime(2024, 1, day, tzinfo=datetime.timezone.utc)}, vector=[1.0])
    [dates] = collection.aggregate.over_all(return_metrics=wvc.query.Metrics("when").date_(median=True)).properties.values()
    assert dates.median == "2024-01-03T00:00:00Z"  # the client passes the string through


def test_hybrid_aggregation_bounded_by_max_vector_distance(client, name):
    collection = client.collections.create(name, properties=[Property(name="text", data_type=DataType.TEXT)],
                                           vector_config=Configure.Vectors.self_provided())
    collection.data.insert({"text": "near"}, vector=[1.0, 0.0])
    collection.data.insert({"text": "far"}, vector=[-1.0, 0.0])
    result = collection.aggregate.hybrid(None, vector=[1.0, 0.0], alpha=1, max_vector_distance=0.5, total_count=True)
    assert result.total_count == 1


def test_dry_run_delete_counts_matches_as_successful(client, name):
    collection = client.collections.create(name, properties=[Property(name="n", data_type=DataType.INT)],
                                           vector_config=Configure.Vectors.self_provided())
    for n in range(3):
        collection.data.insert({"n": n}, vector=[1.0])
    result = collection.data.delete_many(where=Filter.by_property("n").greater_than(0), dry_run=True)
    assert (result.matches, result.successful, result.failed) == (2, 2, 0)
    assert len(collection) == 3
