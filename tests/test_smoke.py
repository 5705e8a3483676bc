def test_healthz_answers_ok_after_a_real_query(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_home_page_greets_the_signed_in_user(client, practitioner, signed_in):
    signed_in(practitioner)
    response = client.get("/")
    assert response.status_code == 200
    assert practitioner.name in response.get_data(as_text=True)
