Feature: Authors
  Authors are created, read, renamed and removed; the list holds the ones created.

  Scenario: An author's life
    When I send POST "/authors" with:
      """
      {"name": "Jane Austen"}
      """
    Then the response status is 201
    And the response header "Location" contains "/authors/"
    And I save the response field "id" as "author"
    When I send GET "/authors"
    Then the response status is 200
    And the response field "#.name" lists "Jane Austen"
    When I send PUT "/authors/{author}" with:
      """
      {"name": "J. Austen"}
      """
    Then the response field "name" is "J. Austen"
    When I send DELETE "/authors/{author}"
    Then the response status is 204
    When I send GET "/authors/{author}"
    Then the response status is 404
