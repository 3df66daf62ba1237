from servicekit.settings import ServiceSettings, service_config


class RightsSettings(ServiceSettings):
    model_config = service_config("RIGHTS_")
