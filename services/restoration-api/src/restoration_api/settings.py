from servicekit.settings import ServiceSettings, service_config


class RestorationSettings(ServiceSettings):
    model_config = service_config("RESTORATION_")
