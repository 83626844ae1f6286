Feature: Books
  A book goes through its whole life: created, read, listed, changed, deleted, gone.
  Every exchange is checked against examples/bookshop/openapi.yaml.

  Background:
    Given the header "Accept" is "application/json"
    And the header "X-Request-Id" is "qa-{uuid}"

  Scenario: Create, read, update and delete a book
    When I send POST "/books" with:
      """
      {"title": "Dune", "authorId": "1", "year": 1965}
      """
    Then the response status is 201
    And the response field "id" is a non-empty string
    And the response field "title" is "Dune"
    And the response field "createdAt" matches "^\d{4}-\d{2}-\d{2}T"
    When I save the response field "id" as "bookId"
    And I send GET "/books/{bookId}"
    Then the response status is 200
    And the response body contains:
      """
      {"id": "{bookId}", "title": "Dune", "authorId": "1", "year": 1965}
      """
    When I send PATCH "/books/{bookId}" with:
      """
      {"year": 1966}
      """
    Then the response status is 200
    And the response field "year" is 1966
    And the response field "title" is "Dune"
    When I send DELETE "/books/{bookId}"
    Then the response status is 204
    When I send GET "/books/{bookId}"
    Then the response status is 404
    And the response field "title" is "Not Found"

  Scenario: A created book is listed
    When I send POST "/books" with the fields:
      | field    | value      |
      | title    | Emma       |
      | authorId | "2"        |
      | year     | 1815       |
    Then the response status is 201
    And I save the response field "id" as "emma"
    When I send GET "/books"
    Then the response status is 200
    And the response field "items.#.id" lists "{emma}"
    And each item of "items" has "createdAt"
    And the response time is under 2000 ms

  Scenario Outline: Replacing a book keeps its id
    When I send POST "/books" with:
      """
      {"title": "<before>", "authorId": "1"}
      """
    And I save the response field "id" as "id"
    And I send PUT "/books/{id}" with:
      """
      {"title": "<after>", "authorId": "1"}
      """
    Then the response status is 200
    And the response field "id" is "{id}"
    And the response field "title" is "<after>"

    Examples:
      | before   | after         |
      | Dune     | Dune Messiah  |
      | Persuasion | Sanditon    |

  Scenario: Reading a book that was never created is the documented 404
    When I send GET "/books/no-such-book"
    Then the response status is 404
    And the response header "Content-Type" contains "application/problem+json"
