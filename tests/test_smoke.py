from tests.conftest import login


def test_counsellor_sees_the_client_page(client, counsellor, dk_client):
    login(client, counsellor)
    response = client.get(f"/clients/{dk_client.uuid}/")
    assert response.status_code == 200
    assert dk_client.last_name in response.content.decode()
