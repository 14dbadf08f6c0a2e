"""phoneNumber values parsed as Weaviate parses them (issue 15, item 9): valid, countryCode,
national, nationalFormatted and internationalFormatted, with defaultCountry for national numbers.
The oracle is the `phonenumbers` package, a port of libphonenumber like the Go library Weaviate uses;
Weft's port reads the same metadata."""
import httpx
import phonenumbers
import pytest

from weaviate.classes.config import Configure, DataType, Property
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateInsertManyAllFailedError

NUMBERS = [
    ("+31 6 12345678", None), ("020 123 4567", "NL"), ("+1 415 555 2671", None), ("(415) 555-2671", "US"),
    ("+49 30 1234567", None), ("030 1234567", "de"), ("+44 20 7946 0958", None), ("07700 900123", "GB"),
    ("+39 06 6982 1234", None), ("06 69821234", "IT"), ("+33 1 23 45 67 89", None), ("01 23 45 67 89", "FR"),
    ("+61 2 9374 4000", None), ("+81 3-1234-5678", None), ("+86 10 1234 5678", None), ("+91 98765 43210", None),
    ("+55 11 91234-5678", None), ("011 15-2345-6789", "AR"), ("+7 495 123-45-67", None), ("+27 21 123 4567", None),
    ("1-800-FLOWERS", "US"), ("+800 1234 5678", None), ("+1 242 357 1234", None), ("00 31 20 123 4567", "NL"),
    ("+31 20 123", None), ("tel: +46 8 123 456 78 ext. 12", None), ("12", "US"),
]


def expected(text, country):
    number = phonenumbers.parse(text, country.upper() if country else None)
    return {
        "input": text, "defaultCountry": country.upper() if country else "", "countryCode": number.country_code,
        "national": number.national_number, "valid": phonenumbers.is_valid_number(number),
        "nationalFormatted": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        "internationalFormatted": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    }


def test_numbers_are_parsed_like_libphonenumber(client, name):
    collection = client.collections.create(name, properties=[Property(name="phone", data_type=DataType.PHONE_NUMBER)],
                                           vector_config=Configure.Vectors.self_provided())
    base = client._connection.url
    mismatches = []
    for text, country in NUMBERS:
        value = {"input": text} if country is None else {"input": text, "defaultCountry": country}
        response = httpx.post(f"{base}/v1/objects", json={"class": name, "properties": {"phone": value}, "vector": [1.0]})
        assert response.status_code == 200, (text, response.text)
        stored = response.json()["properties"]["phone"]
        if stored != expected(text, country):
            mismatches.append((text, country, stored, expected(text, country)))
    for mismatch in mismatches: print("MISMATCH", mismatch)
    assert mismatches == []
    [found] = collection.query.fetch_objects(limit=1).objects[:1]
    assert found.properties["phone"].number is not None


def test_unparseable_numbers_are_refused(client, name):
    client.collections.create(name, properties=[Property(name="phone", data_type=DataType.PHONE_NUMBER)],
                              vector_config=Configure.Vectors.self_provided())
    base = client._connection.url
    national_without_country = httpx.post(f"{base}/v1/objects", json={"class": name, "properties": {"phone": {"input": "020 123 4567"}}})
    assert national_without_country.status_code == 422
    assert "defaultCountry" in national_without_country.text
    letters = httpx.post(f"{base}/v1/objects", json={"class": name, "properties": {"phone": {"input": "call me"}}})
    assert letters.status_code == 422 and "invalid phone number" in letters.text
