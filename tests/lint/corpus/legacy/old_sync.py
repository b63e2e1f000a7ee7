# The 2019 sync tool, kept for reference; excluded from lint by pyproject.
import accsyn_api

session = accsyn_api.Session()
print(session.find("Job WHERE status=0 AND deleted=false"))
