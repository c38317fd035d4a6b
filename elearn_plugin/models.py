"""Django discovers models here; each domain keeps its own `models` module."""

from elearn_plugin.audit import models as _audit  # noqa: F401
from elearn_plugin.contributions import models as _contributions  # noqa: F401
from elearn_plugin.courses import models as _courses  # noqa: F401
from elearn_plugin.family import models as _family  # noqa: F401
from elearn_plugin.feedback import models as _feedback  # noqa: F401
from elearn_plugin.hours import models as _hours  # noqa: F401
from elearn_plugin.learning import models as _learning  # noqa: F401
from elearn_plugin.ledger import models as _ledger  # noqa: F401
from elearn_plugin.month_close import models as _month_close  # noqa: F401
from elearn_plugin.org import models as _org  # noqa: F401
from elearn_plugin.outbox import models as _outbox  # noqa: F401
from elearn_plugin.privacy import models as _privacy  # noqa: F401
from elearn_plugin.rankings import models as _rankings  # noqa: F401
from elearn_plugin.reinstatement import models as _reinstatement  # noqa: F401
from elearn_plugin.review import models as _review  # noqa: F401
from elearn_plugin.roster import models as _roster  # noqa: F401
from elearn_plugin.seats import models as _seats  # noqa: F401
from elearn_plugin.sharing import models as _sharing  # noqa: F401
from elearn_plugin.standing import models as _standing  # noqa: F401
from elearn_plugin.teaching import models as _teaching  # noqa: F401
from elearn_plugin.tick import models as _tick  # noqa: F401
from elearn_plugin.video import models as _video  # noqa: F401
