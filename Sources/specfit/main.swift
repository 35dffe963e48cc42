print("specfit")
