def test_le_tableau_de_bord_s_ouvre(charte, client_de):
    coordinateur = charte.membres.get().utilisateur
    reponse = client_de(coordinateur).get(f"/chartes/{charte.slug}/")
    assert reponse.status_code == 200
    assert "Calendrier de la charte" in reponse.content.decode()
