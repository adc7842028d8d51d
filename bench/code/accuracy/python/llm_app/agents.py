"""Internal analyst agents (LangChain)."""
import pandas as pd
from langchain.agents import AgentType, initialize_agent
from langchain_community.agent_toolkits import FileManagementToolkit
from langchain_community.agent_toolkits.openapi.toolkit import RequestsToolkit
from langchain_community.tools import DuckDuckGoSearchRun, ShellTool
from langchain_community.utilities.requests import TextRequestsWrapper
from langchain_core.tools import tool
from langchain_experimental.agents import create_pandas_dataframe_agent
from langchain_experimental.tools import PythonREPLTool
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o", temperature=0, max_tokens=1024, timeout=60)


@tool
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


def build_ops_agent():
    tools = [ShellTool(), DuckDuckGoSearchRun()]  # VULN:excessive-agency
    return initialize_agent(tools, llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)


def build_research_agent():
    tools = [DuckDuckGoSearchRun(), word_count]
    return initialize_agent(tools, llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)


def build_coder_agent():
    tools = [PythonREPLTool()]  # VULN:excessive-agency
    return initialize_agent(tools, llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)


def build_dataframe_agent(csv_path: str):
    df = pd.read_csv(csv_path)
    return create_pandas_dataframe_agent(llm, df, allow_dangerous_code=True)  # VULN:excessive-agency


def build_dataframe_agent_disabled(csv_path: str):
    df = pd.read_csv(csv_path)
    return create_pandas_dataframe_agent(llm, df, allow_dangerous_code=False)


def build_api_agent():
    toolkit = RequestsToolkit(requests_wrapper=TextRequestsWrapper(headers={}), allow_dangerous_requests=True)  # VULN:excessive-agency
    return initialize_agent(toolkit.get_tools(), llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)


def build_file_agent(workdir: str):
    toolkit = FileManagementToolkit(root_dir=workdir, selected_tools=["read_file", "write_file", "delete_file"])  # VULN:excessive-agency
    return initialize_agent(toolkit.get_tools(), llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)


def build_reader_agent(workdir: str):
    toolkit = FileManagementToolkit(root_dir=workdir, selected_tools=["read_file", "list_directory"])
    return initialize_agent(toolkit.get_tools(), llm, agent=AgentType.ZERO_SHOT_REACT_DESCRIPTION)
